using System.Globalization;
using Brigade.Cli.Demo.Model;
using Spectre.Console;

namespace Brigade.Cli.Demo;

/// <summary>Prints scenes as tables with a conclusion; Spectre.Console degrades to plain text off a terminal.</summary>
internal static class DemoRenderer
{
    public static void Header(IAnsiConsole console, MachineInfo machine, bool quick)
    {
        console.Write(new Rule("[bold]Brigade demo[/]").LeftJustified());
        console.MarkupLine(Markup.Escape($"{machine.Cores} cores · {machine.Processor ?? machine.Architecture} · {machine.Runtime} · {machine.Os}"));
        if (quick)
        {
            console.MarkupLine("[grey]--quick: long runs are shortened[/]");
        }

        console.WriteLine();
    }

    public static void SceneStart(IAnsiConsole console, IDemoScene scene)
    {
        console.Write(new Rule($"[bold yellow]{Markup.Escape(scene.Title)}[/] [grey]({scene.Id})[/]").LeftJustified());
    }

    /// <summary>The line under a table whose speedups (marked *) are over one worker on an idle machine: the JSON's
    /// <c>speedupOver</c> of those runs, and the figure their <c>losses</c> give (review 67).</summary>
    internal const string OneWorkerLegend =
        "* speedup over " + RunRecord.OverOneWorker + " (no sequential run to compare with): the items' own time over the wall time, waits for a core not counted, as in the run's losses";

    public static void SceneEnd(IAnsiConsole console, SceneResult scene)
    {
        if (scene.Runs.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn("Engine");
            table.AddColumn("Run");
            table.AddColumn(new TableColumn("Workers").RightAligned());
            table.AddColumn(new TableColumn("Items").RightAligned());
            table.AddColumn(new TableColumn("Wall (s)").RightAligned());
            table.AddColumn(new TableColumn("CPU (s)").RightAligned());
            table.AddColumn(new TableColumn("Speedup").RightAligned());
            table.AddColumn(new TableColumn("Efficiency").RightAligned());
            table.AddColumn(new TableColumn("Failed").RightAligned());
            var classes = scene.Runs.Any(r => r.Class is not null);
            if (classes)
            {
                table.AddColumn("Class");
            }

            foreach (var run in scene.Runs)
            {
                var measured = run.SpeedupOver != RunRecord.OverNothing;
                var overOneWorker = run.SpeedupOver == RunRecord.OverOneWorker;
                var engine = run.Engine == "baseline" ? $"[grey]{Markup.Escape(run.Baseline ?? "baseline")}[/]" : Markup.Escape(run.Engine);
                var cells = new List<string>
                {
                    engine,
                    Markup.Escape(run.Label),
                    run.Workers.ToString(CultureInfo.InvariantCulture),
                    run.Items.ToString("N0", CultureInfo.InvariantCulture),
                    run.WallSeconds.ToString("0.000", CultureInfo.InvariantCulture),
                    run.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture),
                    measured ? run.Speedup.ToString("0.00", CultureInfo.InvariantCulture) + "×" + (overOneWorker ? "*" : "") : "n/a",
                    measured ? run.Efficiency.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal) : "n/a",
                    run.Failed == 0 ? "0" : $"[red]{run.Failed}[/]",
                };
                if (classes)
                {
                    cells.Add(Markup.Escape(run.Class ?? ""));
                }

                table.AddRow(cells.ToArray());
            }

            console.Write(table);
            if (scene.Runs.Any(static r => r.SpeedupOver == RunRecord.OverOneWorker))
            {
                console.MarkupLine($"[grey]{Markup.Escape(OneWorkerLegend)}[/]");
            }
        }

        console.MarkupLine($"[bold green]→[/] {Markup.Escape(scene.Conclusion)}");
        console.WriteLine();
    }
}
