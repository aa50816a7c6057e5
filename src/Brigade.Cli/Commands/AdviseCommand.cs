using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Brigade.Auto;
using Brigade.Cli.Advise;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Run;
using Brigade.Workloads;
using Spectre.Console;

namespace Brigade.Cli.Commands;

/// <summary>
/// <c>brigade advise</c>: runs workloads under auto mode and under hand-picked engines and widths, and prints auto's
/// plan next to the measured alternatives.
/// </summary>
/// <remarks>
/// Every row is a <see cref="Workload"/>: Brigade's reference suite, or, with <c>--assembly PATH --work TYPE --input
/// FILE</c>, the user's work type over the user's items (<see cref="UserWorkload"/>), loaded the way <c>brigade run</c>
/// and the worker processes load it.
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
        var engines = new Option<string[]>("--engines")
        {
            Description = $"Compare auto mode only with these engines, the ones you can ship: comma-separated, from {Join(EngineNames, "or")} (auto mode itself is always measured).",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "ENGINE[,ENGINE]",
        };
        var reps = new Option<int?>("--repetitions") { Description = "Runs per configuration; the median counts (default 1 with --quick, 3 otherwise).", HelpName = "N" };
        var list = new Option<bool>("--list") { Description = "List the workloads and exit." };
        var assembly = new Option<string?>("--assembly") { Description = "Measure your own work instead: a .NET assembly (from its build output) holding the type given with --work.", HelpName = "PATH" };
        var work = new Option<string?>("--work") { Description = "A type implementing IWork<TIn, TOut> or IAsyncWork<TIn, TOut>, by its full name or its name alone when no other work type has it (with --assembly and --input).", HelpName = "TYPE" };
        var input = new Option<string?>("--input") { Description = "The items to measure your work on, as for brigade run: JSON Lines, CSV or one item per line; - for stdin.", HelpName = "FILE" };
        var format = InputFormatOption.Create("How to read --input: auto (by extension; the default), lines, jsonlines, csv.");

        var command = new Command("advise", "Measure workloads under auto mode and hand-picked engines, and show the plan beside the alternatives.")
        {
            quick, json, only, engines, reps, list, assembly, work, input, format,
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

            var request = Check(parse);
            return await RunAsync(request.Ids, request.User, request.Engines, request.Quick, request.Json, request.Repetitions, stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// The command line's usage errors that need nothing loaded or measured (a number out of range, an unknown workload or
    /// engine, options that do not go together), as a <see cref="CliUsageException"/>; else what to measure. Called before
    /// the measuring restart too (<see cref="MeasuringProcess.ShouldRestart"/>): review 64 found such errors only after the
    /// process had started over with the measuring settings.
    /// </summary>
    /// <param name="parse">A parse of <c>advise</c>'s command line without parse errors.</param>
    /// <returns>What to measure.</returns>
    internal static AdviseRequest Check(ParseResult parse)
    {
        var quick = parse.GetValue<bool>("--quick");
        var repetitions = parse.GetValue<int?>("--repetitions") ?? (quick ? 1 : 3);
        if (repetitions is < 1 or > 100)
        {
            throw new CliUsageException("--repetitions: must be between 1 and 100");
        }

        var (assemblyPath, workType, inputPath) = (parse.GetValue<string?>("--assembly"), parse.GetValue<string?>("--work"), parse.GetValue<string?>("--input"));
        AdviseUserWork? user = null;
        var only = parse.GetValue<string[]>("--only") ?? [];
        if (assemblyPath is not null || workType is not null || inputPath is not null)
        {
            if (assemblyPath is null || workType is null || inputPath is null)
            {
                throw new CliUsageException("advise: measuring your own work needs all three of --assembly PATH, --work TYPE and --input FILE");
            }

            if (only is { Length: > 0 })
            {
                throw new CliUsageException("advise: --only selects reference workloads; it does not go with --assembly/--work");
            }

            user = new AdviseUserWork(assemblyPath, workType, inputPath, parse.GetValue<InputFormat>("--format"));
        }

        var ids = user is null ? Select(only, given: parse.GetResult("--only") is OptionResult { Implicit: false }) : [];
        var allowed = SelectEngines(parse.GetValue<string[]>("--engines") ?? [], given: parse.GetResult("--engines") is OptionResult { Implicit: false });
        return new AdviseRequest(ids, user, allowed, quick, parse.GetValue<bool>("--json"), repetitions);
    }

    private static List<string> Select(string[] only, bool given)
    {
        var ids = only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (given && ids.Count == 0)
        {
            // `--only ""` measured every workload (minutes) before review 59.
            throw new CliUsageException($"--only: no workload id given; known workloads: {string.Join(", ", WorkloadSuite.Ids)}");
        }

        var unknown = ids.FirstOrDefault(id => !WorkloadSuite.Ids.Contains(id));
        if (unknown is not null)
        {
            throw new CliUsageException($"--only: unknown workload '{unknown}'; known workloads: {string.Join(", ", WorkloadSuite.Ids)}");
        }

        return ids.Count == 0 ? [.. WorkloadSuite.Ids] : ids;
    }

    // The engines advise can compare auto mode with, in the order help and errors list them (the cluster is not measured here).
    private static readonly string[] EngineNames = [Engine.Sequential.Name, Engine.ThreadPool.Name, Engine.Threads.Name, Engine.Async.Name, "processes"];

    // --engines: null when not given (every hand-picked configuration), else the engines named, in EngineNames' order.
    private static List<string>? SelectEngines(string[] values, bool given)
    {
        if (!given)
        {
            return null;
        }

        var names = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var choose = $"choose {Join(EngineNames, "or")} (auto mode is always measured)";
        if (names.Count == 0)
        {
            throw new CliUsageException($"--engines: no engine given; {choose}");
        }

        var unknown = names.FirstOrDefault(n => !EngineNames.Contains(n, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
        {
            throw new CliUsageException($"--engines: unknown engine '{unknown}'; {choose}");
        }

        return [.. EngineNames.Where(e => names.Contains(e, StringComparer.OrdinalIgnoreCase))];
    }

    private static async Task<int> RunAsync(List<string> ids, AdviseUserWork? user, List<string>? engines, bool quick, bool json, int repetitions, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Loaded before anything is printed: a wrong path, type or input is a usage error, not half a table.
        var resources = new EngineResources();
        await using var disposeResources = resources.ConfigureAwait(false);
        var userWorkload = user is null ? null : await UserWorkload.CreateAsync(user.Assembly, user.Work, user.Input, user.Format, engines, resources, cancellationToken).ConfigureAwait(false);

        // The reference suite (a local HTTP server, a data file) is only started when its workloads are measured; before
        // anything is printed, so that --engines that leave no workload anything to compare with are a usage error.
        var suite = userWorkload is null ? await WorkloadSuite.StartAsync(quick ? WorkloadScale.Quick : WorkloadScale.Full, cancellationToken).ConfigureAwait(false) : null;
        List<WorkloadComparison> comparisons;
        var forecasts = new Dictionary<WorkloadComparison, IReadOnlyList<ForecastRow>>();
        var console = DemoCommand.CreateConsole(stdout);
        var total = Stopwatch.StartNew();
        var document = new AdviseDocument { Machine = MachineInfo.Current(), Quick = quick, Repetitions = repetitions, UnmeasuredRounds = UnmeasuredRounds(repetitions), Engines = engines, SpeedupOver = SpeedupOver };
        try
        {
            var (workloads, skipped) = userWorkload is not null ? (new List<Workload> { userWorkload }, new List<Workload>()) : Filter(suite!.All.Where(w => ids.Contains(w.Id)).ToList(), engines);
            if (!json)
            {
                console.Write(new Rule("[bold]Brigade advise[/]").LeftJustified());
                console.MarkupLine(Markup.Escape($"{document.Machine.Cores} cores · {document.Machine.Processor ?? document.Machine.Architecture} · {document.Machine.Runtime}"));
                console.MarkupLine($"[grey]auto mode (sampling included, no plan cache) against hand-picked {(engines is null ? "engines" : Markup.Escape($"configurations on {string.Join(", ", engines)} (--engines)"))}; median of {repetitions} run{(repetitions == 1 ? "" : "s")} each ({WorkloadComparison.ShortRunRepetitions} when a run takes under {WorkloadComparison.ShortRun.TotalMilliseconds:0} ms){(UnmeasuredRounds(repetitions) > 0 ? ", after one unmeasured run each" : "")}[/]");
                if (engines is not null)
                {
                    console.MarkupLine(Markup.Escape(AutoAmong(engines)));
                }

                foreach (var w in skipped)
                {
                    console.MarkupLine(Markup.Escape($"  {w.Id}: skipped, its hand-picked configurations run on {Join(EnginesOf(w), "and")}, which --engines leaves out"));
                }
            }

            var auto = AutoFor(engines, workloads);
            document.AutoEngines = engines is null ? null : AdviseEngines.AutoPlansOn(engines);
            comparisons = await CompareAsync(workloads, auto, repetitions, document, forecasts, json ? null : console, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (suite is not null)
            {
                await suite.DisposeAsync().ConfigureAwait(false);
            }
        }

        document.TotalSeconds = Math.Round(total.Elapsed.TotalSeconds, 3);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(document, AdviseJsonContext.Default.AdviseDocument)).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        console.Write(Table(comparisons, engines));
        WriteForecast(console, comparisons, forecasts);
        foreach (var c in comparisons)
        {
            foreach (var note in Notes(c))
            {
                console.MarkupLine(Markup.Escape($"note: {c.Workload.Id}: {note}"));
            }
        }

        if (userWorkload is not null)
        {
            var c = comparisons[0];
            var ratio = c.Ratio.ToString("0.00", CultureInfo.InvariantCulture);
            var measured = $"{Markup.Escape(c.Workload.Id)} measured as {WorkloadClassNames.Of(c.MeasuredClass)}";
            if (engines is null)
            {
                console.MarkupLine($"[bold green]→[/] {measured}; auto ran at {ratio}× the best hand-picked configuration ({Markup.Escape(c.Best.Label)}).");
            }
            else if (PlanAmong(c, engines))
            {
                console.MarkupLine($"[bold green]→[/] {measured}; auto's plan runs on {Join(PlanEngines(c), "and")}, among --engines: auto ran at {ratio}× the best of {string.Join(", ", engines)} ({Markup.Escape(c.Best.Label)}).");
            }
            else
            {
                // Auto mode cannot be told which engines to use: its time is a reference, and the verdict is the best of the
                // configurations the user can ship.
                console.MarkupLine($"[bold green]→[/] {measured}; the best of {string.Join(", ", engines)} is {Markup.Escape(c.Best.Label)} ({Time(c.Best.Median)}).");
                console.MarkupLine($"  auto's plan runs on {Join(Outside(c, engines), "and")}, which --engines leaves out: auto's time is for comparison only.");
            }
        }
        else
        {
            var within = comparisons.Count(c => c.Ratio <= 1.15);
            console.MarkupLine($"[bold green]→[/] auto measured the labelled class on {comparisons.Count(c => c.ClassMatches)} of {comparisons.Count} workloads and ran within 1.15× of the best hand-picked configuration on {within} of {comparisons.Count}.");
            var outside = engines is null ? [] : comparisons.Where(c => !PlanAmong(c, engines)).ToList();
            if (outside.Count > 0)
            {
                // Named, not only in bold: off a terminal the table is plain text.
                console.MarkupLine(Markup.Escape($"→ auto's plan runs on an engine --engines leaves out on {outside.Count} of {comparisons.Count} ({string.Join(", ", outside.Select(c => $"{c.Workload.Id}: {Join(Outside(c, engines!), "and")}"))}), where its time is for comparison only; the best of {string.Join(", ", engines!)} there: {string.Join(", ", outside.Select(c => $"{c.Workload.Id} {c.Best.Label} ({Time(c.Best.Median)})"))}."));
            }
        }

        console.MarkupLine($"[grey]Done in {total.Elapsed.TotalSeconds:0.0} s.[/]");
        return ExitCodes.Success;
    }

    // The workloads with their hand-picked configurations on --engines, and those left with none (measured against nothing,
    // they are skipped); none left at all is a usage error, said before anything is measured.
    private static (List<Workload> Kept, List<Workload> Skipped) Filter(List<Workload> workloads, List<string>? engines)
    {
        if (engines is null)
        {
            return (workloads, []);
        }

        var kept = workloads.Select(w => w.WithHandPicked([.. w.HandPicked.Where(h => engines.Contains(h.Engine.Name))])).Where(w => w.HandPicked.Count > 0).ToList();
        var skipped = workloads.Where(w => kept.All(k => k.Id != w.Id)).ToList();
        if (kept.Count == 0)
        {
            throw new CliUsageException($"--engines {string.Join(",", engines)}: no configuration of {Join(workloads.Select(w => w.Id), "or")} runs on them; theirs run on {Join(EngineNames.Where(e => workloads.Any(w => EnginesOf(w).Contains(e))), "or")}");
        }

        return (kept, skipped);
    }

    private static IEnumerable<string> EnginesOf(Workload workload) => EngineNames.Where(e => workload.HandPicked.Any(h => h.Engine.Name == e));

    // The engines auto mode's plans ran the items on, in order (a re-plan can move from one to another).
    private static List<string> PlanEngines(WorkloadComparison c) => [.. c.Plans.Select(p => p.Engine).Distinct()];

    private static bool PlanAmong(WorkloadComparison c, List<string> engines) => PlanEngines(c).All(engines.Contains);

    // The engines auto's plans ran on that --engines leaves out (a re-plan can move from one left out to one named).
    private static List<string> Outside(WorkloadComparison c, List<string> engines) => [.. PlanEngines(c).Where(e => !engines.Contains(e))];

    // "a", "a or b", "a, b or c".
    private static string Join(IEnumerable<string> names, string last)
    {
        var list = names.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + $" {last} " + list[^1];
    }

    // Review 64: auto mode plans among the in-process engines --engines names (AutoEngineOptions.Engines: a plan on another
    // engine runs on a stand-in and says so); with worker processes alone, auto hands the user's work to them (its
    // isolated engine, the one the hand-picked configuration runs on) at the width it plans. Before, auto planned among
    // every engine and its time could be of one the user had ruled out.
    private static Engine AutoFor(List<string>? engines, List<Workload> workloads)
    {
        if (AdviseEngines.InProcessAuto(engines) is { } inProcess)
        {
            return inProcess;
        }

        var options = new AutoEngineOptions { UsePlanCache = false };
        if (workloads.SelectMany(w => w.HandPicked).FirstOrDefault(h => h.Engine.Name == AdviseEngines.Processes)?.Engine is { } processes)
        {
            options.IsolatedEngine = processes;
        }

        return Engine.CreateAuto(options);
    }

    // The header's line on what auto mode plans among under --engines.
    private static string AutoAmong(List<string> engines)
    {
        var on = AdviseEngines.AutoPlansOn(engines);
        return on is ["processes"]
            ? "auto mode runs the work on worker processes, the only engine --engines names, at the width it plans"
            : $"auto mode plans among {Join(on, "and")} (--engines){(engines.Contains("processes") ? "; it runs nothing on worker processes, which are measured beside it" : "")}; a plan for another engine runs on one of these and says so";
    }

    private static async Task<List<WorkloadComparison>> CompareAsync(List<Workload> workloads, Engine auto, int repetitions, AdviseDocument document, Dictionary<WorkloadComparison, IReadOnlyList<ForecastRow>> forecastsOf, IAnsiConsole? console, CancellationToken cancellationToken)
    {
        // The process's one warm-up of auto mode's own code runs lambdas in this process: on an auto engine that runs
        // nothing in this process (worker processes alone) it could not, so it runs on an unrestricted one first.
        await WorkloadComparison.WarmUpAutoAsync(WorkloadComparison.CreateAutoEngine(), cancellationToken).ConfigureAwait(false);
        var comparisons = new List<WorkloadComparison>();
        foreach (var workload in workloads)
        {
            var comparison = await WorkloadComparison.RunAsync(workload, auto, repetitions, int.MaxValue, unmeasuredRounds: UnmeasuredRounds(repetitions), cancellationToken: cancellationToken).ConfigureAwait(false);

            // Each configuration's speedup forecast from auto's sample, beside the one its median run measured.
            var forecasts = await ForecastComparison.RunAsync(comparison, cancellationToken).ConfigureAwait(false);
            comparisons.Add(comparison);
            forecastsOf[comparison] = forecasts;
            document.Workloads.Add(ToJson(comparison, forecasts, document.Engines));
            console?.MarkupLine($"  [grey]{Markup.Escape(workload.Id)}: auto {Time(comparison.Auto.Median)}, best hand-picked {Markup.Escape(comparison.Best.Label)} {Time(comparison.Best.Median)}[/]");
        }

        return comparisons;
    }

    // Review 65b: a first round of the user's work that allocates heavily (200 × 1 MB strings) ran 1.4 s against 0.01-1.1 s
    // later (the process's heap still growing), and with 3 runs the median can land on it. With more than one run per
    // configuration, each configuration first runs once unmeasured; with one (--quick's default) nothing is added, so
    // --quick stays as quick, and its one run is a first one.
    private static int UnmeasuredRounds(int repetitions) => repetitions > 1 ? 1 : 0;

    private static Table Table(List<WorkloadComparison> comparisons, List<string>? engines)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Workload");
        table.AddColumn("Class");
        table.AddColumn(new TableColumn("Auto").RightAligned());
        table.AddColumn("Hand-picked");
        table.AddColumn(new TableColumn("Auto / best").RightAligned());
        table.AddColumn("Auto's plan");
        foreach (var c in comparisons)
        {
            var best = c.Best;
            var alternatives = string.Join('\n', c.Alternatives.Select(a =>
                (a == best ? $"[bold]{Markup.Escape(a.Label)} {Time(a.Median)}[/]" : $"{Markup.Escape(a.Label)} {Time(a.Median)}")));
            var cls = WorkloadClassNames.Of(c.MeasuredClass);
            table.AddRow(
                Markup.Escape(c.Workload.Id),
                c.ClassMatches || c.Workload.ExpectedClass == WorkloadClass.Unknown ? cls : $"[red]{cls}[/] (labelled {WorkloadClassNames.Of(c.Workload.ExpectedClass)})",
                Time(c.Auto.Median),
                alternatives,
                (c.Ratio <= 1.15 ? "" : "[yellow]") + c.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" + (c.Ratio <= 1.15 ? "" : "[/]"),
                Markup.Escape(c.Auto.Report.Plan ?? "") + (engines is null || PlanAmong(c, engines) ? "" : $"\n[yellow]{Markup.Escape($"(on {Join(Outside(c, engines), "and")}: not in --engines)")}[/]"));
        }

        return table;
    }

    // The forecast table and its legend, or one line saying there is none: auto's plan for tiny items is sequential, and
    // a sequential plan forecasts no speedup (review 50: an empty table with its legend was printed).
    internal static void WriteForecast(IAnsiConsole console, List<WorkloadComparison> comparisons, Dictionary<WorkloadComparison, IReadOnlyList<ForecastRow>> forecasts)
    {
        if (!comparisons.Any(c => forecasts.GetValueOrDefault(c) is { Count: > 0 }))
        {
            console.MarkupLine("[grey]forecast: none (auto's plan ran the items one after another: there is no speedup to forecast)[/]");
            return;
        }

        console.Write(ForecastTable(comparisons, forecasts));
        console.MarkupLine($"[grey]{Markup.Escape(ForecastLegend)}[/]");
    }

    // Review 66b: both columns are one quantity, a speedup over one worker on an idle machine (SpeedupForecast.Speedup,
    // ForecastComparison.Measured); the legend said "both as the items × the sampled time per item over the wall time",
    // which the measured side never was, while on worker processes it was a speedup over one worker under the same load
    // (1.99 beside a forecast of 0.09 with 8 `yes` running).
    internal const string ForecastLegend = "speedup over one worker on an idle machine (the items' own time, waits for a core left out, over the wall time): " +
        "forecast from auto's sample (before the full run) / measured in the median run; on a busy machine both can be below 1";

    /// <summary>What the forecast table's speedups are over, in <c>--json</c>'s <c>speedupOver</c>.</summary>
    internal const string SpeedupOver = "one worker on an idle machine";

    // Forecast beside measured, one row per configuration: its own table, so that the main one keeps its widths.
    private static Table ForecastTable(List<WorkloadComparison> comparisons, Dictionary<WorkloadComparison, IReadOnlyList<ForecastRow>> forecasts)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Workload");
        table.AddColumn("Configuration");
        table.AddColumn(new TableColumn("Forecast speedup").RightAligned());
        table.AddColumn(new TableColumn("Measured").RightAligned());
        table.AddColumn("Limited by");
        foreach (var c in comparisons)
        {
            foreach (var r in forecasts.GetValueOrDefault(c) ?? [])
            {
                table.AddRow(
                    Markup.Escape(c.Workload.Id),
                    Markup.Escape(r.Label),
                    r.Speedup.ToString("0.0#", CultureInfo.InvariantCulture),
                    r.Measured.ToString("0.0#", CultureInfo.InvariantCulture),
                    Markup.Escape(r.Forecast.LimitedBy));
            }
        }

        return table;
    }

    private static double? Round2(double? x) => x is { } v && double.IsFinite(v) ? Math.Round(v, 3) : null;

    private static AdviseWorkload ToJson(WorkloadComparison c, IReadOnlyList<ForecastRow> forecasts, List<string>? engines) => new()
    {
        Id = c.Workload.Id,
        Title = c.Workload.Title,
        ExpectedClass = WorkloadClassNames.Of(c.Workload.ExpectedClass),
        Class = WorkloadClassNames.Of(c.MeasuredClass),
        ClassMatches = c.ClassMatches,
        Plan = c.Auto.Report.Plan ?? "",
        Plans = [.. c.Plans.Select(p => p.Explanation)],
        PlanEngines = PlanEngines(c),
        PlanAmongEngines = engines is null ? null : PlanAmong(c, engines),
        AutoSeconds = Math.Round(c.Auto.Median.TotalSeconds, 4),
        AutoRunSeconds = [.. c.Auto.Walls.Select(w => Math.Round(w.TotalSeconds, 4))],
        AutoUnmeasuredSeconds = [.. c.AutoUnmeasured.Select(w => Math.Round(w.TotalSeconds, 4))],
        ForecastSpeedup = Round2(forecasts.FirstOrDefault(r => r.Label == "auto")?.Speedup),
        ForecastLimitedBy = forecasts.FirstOrDefault(r => r.Label == "auto")?.Forecast.LimitedBy,
        MeasuredSpeedup = Round2(forecasts.FirstOrDefault(r => r.Label == "auto")?.Measured),
        Alternatives = [.. c.Alternatives.Select(a => new AdviseAlternative
        {
            Label = a.Label,
            Engine = a.Report.Engine,
            Width = a.Report.DegreeOfParallelism,
            Seconds = Math.Round(a.Median.TotalSeconds, 4),
            RunSeconds = [.. a.Walls.Select(w => Math.Round(w.TotalSeconds, 4))],
            ForecastSpeedup = Round2(forecasts.FirstOrDefault(r => r.Label == a.Label)?.Speedup),
            MeasuredSpeedup = Round2(forecasts.FirstOrDefault(r => r.Label == a.Label)?.Measured),
        })],
        Best = c.Best.Label,
        Ratio = Math.Round(c.Ratio, 3),
        Notes = Notes(c),
    };

    // Review 64: worker processes are measured at the core count only, each worker a process start (~0.3 s of CPU): for work
    // that waits, more of them could finish sooner, and advise says so rather than start a wider pool. (Dedicated threads,
    // measured at 16 and 64, overlap the same waits in one process; processes are for isolation, not speed, in .NET.)
    internal static List<string> Notes(WorkloadComparison c)
    {
        var notes = new List<string>();
        if (c.Alternatives.FirstOrDefault(a => a.Report.Engine == "processes") is { } processes &&
            c.MeasuredClass is WorkloadClass.Blocking or WorkloadClass.Mixed or WorkloadClass.AsyncIo)
        {
            notes.Add($"worker processes were measured at {processes.Report.DegreeOfParallelism} only (one per core): for {WorkloadClassNames.Of(c.MeasuredClass)} work more could finish sooner " +
                $"(brigade run --engine processes -j N); advise starts no wider pool, each worker being a process start");
        }

        return notes;
    }

    // For people: "1.234 s", "123 ms", "0.052 ms" (a job of tiny items takes microseconds).
    private static string Time(TimeSpan t) => t.TotalSeconds >= 1 ? t.TotalSeconds.ToString("0.000 s", CultureInfo.InvariantCulture)
        : t.TotalMilliseconds >= 10 ? t.TotalMilliseconds.ToString("0 ms", CultureInfo.InvariantCulture)
        : t.TotalMilliseconds.ToString("0.000 ms", CultureInfo.InvariantCulture);
}
