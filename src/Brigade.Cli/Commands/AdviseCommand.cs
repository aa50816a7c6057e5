using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Brigade.Cli.Advise;
using Brigade.Cli.Demo.Model;
using Brigade.Workloads;
using Spectre.Console;

namespace Brigade.Cli.Commands;

/// <summary>
/// <c>brigade advise</c>: runs workloads under auto mode and under hand-picked engines and widths, and prints auto's
/// plan next to the measured alternatives.
/// </summary>
/// <remarks>
/// Today the workloads are Brigade's reference suite. Every row is a <see cref="Workload"/>, so a user's own work
/// joins the same comparison once the worker-process engine can load a work type from an assembly: an
/// <c>--assembly PATH --work TYPE</c> option will build one more <see cref="Workload"/> from it, and nothing else here changes.
/// </remarks>
internal static class AdviseCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var quick = new Option<bool>("--quick") { Description = "Smaller workloads and one run each (a few seconds in all)." };
        var json = new Option<bool>("--json") { Description = "Print the results as one JSON document instead of a table." };
        var only = new Option<string[]>("--only")
        {
            Description = "Run only these workloads: comma-separated ids (see --list).",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "ID[,ID]",
        };
        var reps = new Option<int?>("--repetitions") { Description = "Runs per configuration; the median counts (default 1 with --quick, 3 otherwise).", HelpName = "N" };
        var list = new Option<bool>("--list") { Description = "List the workloads and exit." };

        var command = new Command("advise", "Measure workloads under auto mode and hand-picked engines, and show the plan beside the alternatives.")
        {
            quick, json, only, reps, list,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(list))
            {
                foreach (var id in WorkloadSuite.Ids)
                {
                    await stdout.WriteLineAsync(id).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            var ids = Select(parse.GetValue(only) ?? []);
            var repetitions = parse.GetValue(reps) ?? (parse.GetValue(quick) ? 1 : 3);
            if (repetitions is < 1 or > 100)
            {
                throw new CliUsageException("--repetitions: must be between 1 and 100");
            }

            return await RunAsync(ids, parse.GetValue(quick), parse.GetValue(json), repetitions, stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static List<string> Select(string[] only)
    {
        var ids = only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var unknown = ids.FirstOrDefault(id => !WorkloadSuite.Ids.Contains(id));
        if (unknown is not null)
        {
            throw new CliUsageException($"--only: unknown workload '{unknown}'; known workloads: {string.Join(", ", WorkloadSuite.Ids)}");
        }

        return ids.Count == 0 ? [.. WorkloadSuite.Ids] : ids;
    }

    private static async Task<int> RunAsync(List<string> ids, bool quick, bool json, int repetitions, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var console = DemoCommand.CreateConsole(stdout);
        var total = Stopwatch.StartNew();
        var document = new AdviseDocument { Machine = MachineInfo.Current(), Quick = quick, Repetitions = repetitions };
        if (!json)
        {
            console.Write(new Rule("[bold]Brigade advise[/]").LeftJustified());
            console.MarkupLine(Markup.Escape($"{document.Machine.Cores} cores · {document.Machine.Processor ?? document.Machine.Architecture} · {document.Machine.Runtime}"));
            console.MarkupLine($"[grey]auto mode (sampling included, no plan cache) against hand-picked engines; median of {repetitions} run{(repetitions == 1 ? "" : "s")} each[/]");
        }

        var suite = await WorkloadSuite.StartAsync(quick ? WorkloadScale.Quick : WorkloadScale.Full, cancellationToken).ConfigureAwait(false);
        await using var disposeSuite = suite.ConfigureAwait(false);
        var auto = WorkloadComparison.CreateAutoEngine();
        var comparisons = new List<WorkloadComparison>();
        foreach (var workload in suite.All.Where(w => ids.Contains(w.Id)))
        {
            var comparison = await WorkloadComparison.RunAsync(workload, auto, repetitions, int.MaxValue, cancellationToken: cancellationToken).ConfigureAwait(false);
            comparisons.Add(comparison);
            document.Workloads.Add(ToJson(comparison));
            if (!json)
            {
                console.MarkupLine($"  [grey]{Markup.Escape(workload.Id)}: auto {Seconds(comparison.Auto.Median)} s, best hand-picked {Markup.Escape(comparison.Best.Label)} {Seconds(comparison.Best.Median)} s[/]");
            }
        }

        document.TotalSeconds = Math.Round(total.Elapsed.TotalSeconds, 3);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(document, AdviseJsonContext.Default.AdviseDocument)).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        console.Write(Table(comparisons));
        var within = comparisons.Count(c => c.Ratio <= 1.15);
        console.MarkupLine($"[bold green]→[/] auto measured the labelled class on {comparisons.Count(c => c.ClassMatches)} of {comparisons.Count} workloads and ran within 1.15× of the best hand-picked configuration on {within} of {comparisons.Count}.");
        console.MarkupLine($"[grey]Done in {total.Elapsed.TotalSeconds:0.0} s.[/]");
        return ExitCodes.Success;
    }

    private static Table Table(List<WorkloadComparison> comparisons)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Workload");
        table.AddColumn("Class");
        table.AddColumn(new TableColumn("Auto (s)").RightAligned());
        table.AddColumn("Hand-picked (s)");
        table.AddColumn(new TableColumn("Auto / best").RightAligned());
        table.AddColumn("Auto's plan");
        foreach (var c in comparisons)
        {
            var best = c.Best;
            var alternatives = string.Join('\n', c.Alternatives.Select(a =>
                a == best ? $"[bold]{Markup.Escape(a.Label)} {Seconds(a.Median)}[/]" : $"{Markup.Escape(a.Label)} {Seconds(a.Median)}"));
            var cls = WorkloadClassNames.Of(c.MeasuredClass);
            table.AddRow(
                Markup.Escape(c.Workload.Id),
                c.ClassMatches ? cls : $"[red]{cls}[/] (labelled {WorkloadClassNames.Of(c.Workload.ExpectedClass)})",
                Seconds(c.Auto.Median),
                alternatives,
                (c.Ratio <= 1.15 ? "" : "[yellow]") + c.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" + (c.Ratio <= 1.15 ? "" : "[/]"),
                Markup.Escape(c.Auto.Report.Plan ?? ""));
        }

        return table;
    }

    private static AdviseWorkload ToJson(WorkloadComparison c) => new()
    {
        Id = c.Workload.Id,
        Title = c.Workload.Title,
        ExpectedClass = WorkloadClassNames.Of(c.Workload.ExpectedClass),
        Class = WorkloadClassNames.Of(c.MeasuredClass),
        ClassMatches = c.ClassMatches,
        Plan = c.Auto.Report.Plan ?? "",
        Plans = [.. c.Plans.Select(p => p.Explanation)],
        AutoSeconds = Math.Round(c.Auto.Median.TotalSeconds, 4),
        Alternatives = [.. c.Alternatives.Select(a => new AdviseAlternative
        {
            Label = a.Label,
            Engine = a.Report.Engine,
            Width = a.Report.DegreeOfParallelism,
            Seconds = Math.Round(a.Median.TotalSeconds, 4),
        })],
        Best = c.Best.Label,
        Ratio = Math.Round(c.Ratio, 3),
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
