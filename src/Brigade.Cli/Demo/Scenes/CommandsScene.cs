using System.Globalization;
using Brigade.Auto;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Run;
using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// <c>brigade run --exec</c> under auto mode, with no plan to start from: commands that sleep are recognised as waits while
/// they run (their process group's CPU clock, read from /proc), so they overlap in one wave; commands that compute stay at
/// the core count.
/// </summary>
internal sealed class CommandsScene : IDemoScene
{
    public string Id => "commands";

    public string Title => "A command per item: auto mode reads the running commands' clocks";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        if (!OperatingSystem.IsLinux() || !ExecSpawner.IsAvailable)
        {
            result.Conclusion = "Skipped: commands' clocks are read from /proc, on Linux only (elsewhere auto mode waits for finished commands).";
            context.Live("  [grey]skipped: Linux only[/]");
            return result;
        }

        var count = context.Quick ? 16 : 32;
        var sleep = context.Quick ? "0.5" : "1";
        var directory = Directory.CreateTempSubdirectory("brigade-demo-commands-");
        try
        {
            var sleeps = Path.Combine(directory.FullName, "sleeps.txt");
            await File.WriteAllLinesAsync(sleeps, Enumerable.Repeat(sleep, count), cancellationToken).ConfigureAwait(false);
            var auto = await RunAsync(context, directory, sleeps, "sleep {}", CommandsAuto(), null, $"auto, {count} × sleep {sleep}", cancellationToken).ConfigureAwait(false);
            var threads = await RunAsync(context, directory, sleeps, "sleep {}", Engine.Threads, count, $"threads ×{count}, {count} × sleep {sleep}", cancellationToken).ConfigureAwait(false);
            // Efficiency against the widest the run could use: auto's plan may name more workers than the input has lines
            // (a brigade run input is read as a stream, its length unknown to the plan).
            result.Runs.Add(context.Record(auto, efficiencyWidth: Math.Min(auto.DegreeOfParallelism, count), label: $"auto, {count} × sleep {sleep}"));
            result.Runs.Add(context.Record(threads, label: $"threads ×{count}, {count} × sleep {sleep}"));

            var computing = Path.Combine(directory.FullName, "numbers.txt");
            var cpuCount = 4 * Environment.ProcessorCount;
            await File.WriteAllLinesAsync(computing, Enumerable.Range(1, cpuCount).Select(i => i.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
            var cpu = await RunAsync(context, directory, computing, "awk 'BEGIN{s=0; for(i=0;i<4000000;i++) s+=i%7; print {}, s}'", CommandsAuto(), null, $"auto, {cpuCount} × awk loop", cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(cpu, efficiencyWidth: Math.Min(cpu.DegreeOfParallelism, cpuCount), label: $"auto, {cpuCount} × awk loop"));

            result.Conclusion =
                $"{count} commands sleeping {sleep} s each, with no cached plan: auto mode read their CPU clocks while they ran, saw them wait, and ran them " +
                $"×{Math.Min(auto.DegreeOfParallelism, count)} at once in {auto.WallTime.TotalSeconds:0.00} s (threads ×{count}: {threads.WallTime.TotalSeconds:0.00} s); " +
                $"{cpuCount} computing awk commands stayed at ×{cpu.DegreeOfParallelism} on {Environment.ProcessorCount} cores ({cpu.WallTime.TotalSeconds:0.00} s). " +
                $"Without reading running commands, the sample waits for finished ones at the core count: a first wave of {Environment.ProcessorCount}.";
            return result;
        }
        finally
        {
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory left behind is harmless.
            }
        }
    }

    // What `brigade run -e auto` uses for commands (EngineRegistry), without the plan cache: every demo run starts cold.
    private static Engine CommandsAuto() =>
        Engine.CreateAuto(new AutoEngineOptions { ReportsExternalCpu = true, MaxConcurrency = EngineResources.CommandLimit(), UsePlanCache = false });

    private static async Task<RunReport> RunAsync(DemoContext context, DirectoryInfo directory, string input, string command, Engine engine, int? jobs, string label, CancellationToken cancellationToken)
    {
        var options = new RunJobOptions
        {
            Input = input,
            Work = new ExecWork(CommandTemplate.Parse(command), null, JobRetry.None),
            Engine = engine,
            Jobs = jobs,
            // To the null writer: no journal or completion record is kept for the demo's runs.
            Output = "-",
            Quiet = true,
            CommandLine = $"brigade run {Path.GetFileName(input)} --exec {CommandTemplate.Quote(command)}",
        };

        var job = new BatchJob(options, TextWriter.Null, TextWriter.Null, interactive: false);
        var exit = await job.RunAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var report = job.Report ?? throw new InvalidOperationException($"brigade run ({label}) ended without a report (exit code {exit})");
        context.Live(
            $"  [bold]{Markup.Escape(label)}[/]: {report.WallTime.TotalSeconds:0.00} s, ×{report.DegreeOfParallelism}" +
            (report.Plan is { } plan ? $" [grey]— {Markup.Escape(plan)}[/]" : ""));
        return report;
    }
}
