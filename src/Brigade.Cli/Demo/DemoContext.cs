using Brigade.Cli.Demo.Model;
using Brigade.Cli.Run;
using Spectre.Console;

namespace Brigade.Cli.Demo;

/// <summary>What a scene needs: the mode, a place for live lines, and a record of every run for the trace.</summary>
internal sealed class DemoContext(bool quick, bool json, IAnsiConsole console)
{
    // Guards console writes: scenes print from worker threads.
    private readonly Lock _gate = new();
    private readonly List<RunReport> _reports = [];

    // The labels given to Record instead of a report's own (a brigade run job names its command): the "why not faster" names
    // the run as the scene's runs do (review 70: it read "brigade run exec:sleep {}" for two runs of the commands scene).
    private readonly Dictionary<RunReport, string> _labels = new(ReferenceEqualityComparer.Instance);

    /// <summary>Gets whether to shorten the long runs.</summary>
    public bool Quick => quick;

    /// <summary>Gets the running cluster the cluster scene uses instead of starting two local silos, or null.</summary>
    public Brigade.Orleans.ClusterConnectionOptions? Cluster { get; init; }

    /// <summary>Gets whether output is the JSON document (live lines are then suppressed).</summary>
    public bool Json => json;

    /// <summary>Gets the reports of every Brigade run so far, for <c>--trace</c>.</summary>
    public IReadOnlyList<RunReport> Reports => _reports;

    /// <summary>Writes a live line (Spectre markup) in table mode; nothing in JSON mode.</summary>
    public void Live(string markup)
    {
        if (json)
        {
            return;
        }

        lock (_gate)
        {
            console.MarkupLine(markup);
        }
    }

    /// <summary>Options for one labelled run of a scene.</summary>
    public static RunOptions Options(Engine engine, string label, int? width = null, int? batchSize = null) => new()
    {
        Engine = engine,
        Label = label,
        MaxDegreeOfParallelism = width,
        BatchSize = batchSize,
    };

    /// <summary>Records a Brigade run: keeps its report for the trace and turns it into a JSON run.</summary>
    /// <param name="report">The run's report.</param>
    /// <param name="sequentialWall">The scene's sequential wall time, for a measured speedup; null when the scene has none: the
    /// speedup is then the run's <see cref="Brigade.Reporting.RunLosses.Speedup"/> (over one worker on an idle machine, the figure its
    /// losses give), not <see cref="RunReport.Speedup"/>, which counts waits for a core as work (review 67).</param>
    /// <param name="efficiencyWidth">The width efficiency is relative to; defaults to the run's workers.</param>
    /// <param name="label">The run's label in the demo, instead of its report's (a <c>brigade run</c> job names its command).</param>
    /// <remarks>A run whose engine is <c>auto</c>, in any scene, carries auto mode's <c>plan</c> (the last plan's line) and the
    /// <c>class</c> its last plan measured (README: "runs with engine <c>auto</c>"); before review 70 only the auto-mode
    /// scene added them, and the commands scene's auto runs had neither.</remarks>
    public RunRecord Record(RunReport report, TimeSpan? sequentialWall = null, int? efficiencyWidth = null, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            _reports.Add(report);
            if (label is not null)
            {
                _labels[report] = label;
            }
        }

        var losses = report.Losses;
        var (speedup, over) = sequentialWall is { } s && report.WallTime > TimeSpan.Zero
            ? (s / report.WallTime, RunRecord.OverSequential)
            : (losses.Speedup, RunRecord.OverOneWorker);
        var width = Math.Max(1, efficiencyWidth ?? report.DegreeOfParallelism);
        return new RunRecord
        {
            Engine = report.Engine,
            Label = label ?? report.Label ?? report.Engine,
            Workers = report.DegreeOfParallelism,
            Items = report.Items,
            WallSeconds = Round(report.WallTime.TotalSeconds),
            CpuSeconds = Round(report.ProcessCpuTime.TotalSeconds),
            Failed = report.Failed,
            Speedup = Round(speedup, 2),
            SpeedupOver = over,
            Efficiency = Round(speedup / width, 2),
            Batches = report.Batches,
            NotRun = report.NotRun > 0 ? report.NotRun : null,
            ItemsPerLocation = report.Workers.Any(w => w.Location is not null)
                ? report.Workers.Where(w => w.Location is not null).GroupBy(w => w.Location!, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(w => w.Items), StringComparer.Ordinal)
                : null,
            FailedIndexes = report.Failed > 0 ? [.. report.Failures.Take(100).Select(f => f.Index)] : null,
            Losses = LossesRecord.From(losses),
            Plan = IsAuto(report) ? report.Plan : null,
            Class = IsAuto(report) ? WorkloadClassNames.Of(report.Plans.Count > 0 ? report.Plans[^1].Class : Brigade.Auto.WorkloadClass.Unknown) : null,
        };
    }

    private static bool IsAuto(RunReport report) => string.Equals(report.Engine, Engine.Auto.Name, StringComparison.Ordinal);

    /// <summary>
    /// Adds to a scene's conclusion why its least efficient parallel run (of those recorded since
    /// <paramref name="firstReport"/>) was not faster, when that run lost at least 10% of its ideal and had an item for each
    /// of its workers (<see cref="BatchJob.HasItemsForEveryWorker"/>, brigade run's rule: review 70, the commands scene's 16
    /// sleeps on auto's 64 lanes read "imbalance 91% ... use fewer workers", where brigade run says nothing).
    /// </summary>
    public void ExplainLosses(SceneResult result, int firstReport)
    {
        ArgumentNullException.ThrowIfNull(result);
        RunReport[] reports;
        Dictionary<RunReport, string> labels;
        lock (_gate)
        {
            reports = [.. _reports.Skip(firstReport)];
            labels = new(_labels, ReferenceEqualityComparer.Instance);
        }

        // A list, not MinBy over tuples: MinBy of an empty sequence of value types throws.
        var candidates = reports
            .Where(static r => r.DegreeOfParallelism > 1 && r.Items > 0 && r.WallTime >= TimeSpan.FromMilliseconds(10))
            .Where(static r => BatchJob.HasItemsForEveryWorker(r.Items, r.DegreeOfParallelism))
            .Select(static r => (Report: r, Losses: r.Losses))
            .Where(static x => x.Losses.Gap >= x.Losses.Ideal * 0.10)
            .ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var worst = candidates.MinBy(static x => x.Losses.Efficiency);

        var name = labels.GetValueOrDefault(worst.Report) ?? worst.Report.Label ?? worst.Report.Engine;
        result.WhyNotFaster = $"{name} ({worst.Report.Engine} ×{worst.Report.DegreeOfParallelism}): {worst.Losses.Summary}";
        result.Conclusion += $" Why not faster: {result.WhyNotFaster}.";
    }

    /// <summary>Records a plain .NET baseline measured by the scene itself, against the scene's sequential time (a baseline
    /// has no losses to estimate a speedup from: before review 67 a null sequential time made its speedup 1.0).</summary>
    /// <remarks><c>batches</c>: the units the baseline handed out, where its code fixes them (one <c>Task.Run</c> per item:
    /// one per item; report 69: the tiny-tasks baseline had no <c>batches</c>); <see langword="null"/> where .NET decides
    /// them unseen (<c>Parallel.ForEach</c> over an array takes ranges of a size it grows as it goes, and does not say how
    /// many): the field is then left out of the JSON.</remarks>
    public static RunRecord Baseline(string api, string label, int workers, long items, TimeSpan wall, TimeSpan cpu, TimeSpan sequentialWall, int? efficiencyWidth = null, long? batches = null)
    {
        var speedup = wall > TimeSpan.Zero ? sequentialWall / wall : 1.0;
        return new RunRecord
        {
            Engine = "baseline",
            Baseline = api,
            Label = label,
            Workers = workers,
            Items = items,
            WallSeconds = Round(wall.TotalSeconds),
            CpuSeconds = Round(cpu.TotalSeconds),
            Failed = 0,
            Speedup = Round(speedup, 2),
            SpeedupOver = RunRecord.OverSequential,
            Efficiency = Round(speedup / Math.Max(1, efficiencyWidth ?? workers), 2),
            Batches = batches,
        };
    }

    /// <summary>Measures plain .NET code: wall time and process CPU time.</summary>
    public static (TimeSpan Wall, TimeSpan Cpu) Measure(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var cpu = Environment.CpuUsage.TotalTime;
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        return (System.Diagnostics.Stopwatch.GetElapsedTime(start), Environment.CpuUsage.TotalTime - cpu);
    }

    public static double Round(double value, int digits = 3) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
