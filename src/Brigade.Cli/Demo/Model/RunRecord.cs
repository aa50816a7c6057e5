namespace Brigade.Cli.Demo.Model;

/// <summary>One measured run of a scene.</summary>
internal sealed class RunRecord
{
    /// <summary>Brigade engine name (<c>sequential</c>, <c>threadpool</c>, <c>threads</c>, <c>async</c>, ...), or <c>baseline</c> for plain .NET code shown for comparison.</summary>
    public required string Engine { get; init; }

    public required string Label { get; init; }

    /// <summary>For <c>baseline</c> runs: the .NET API measured, such as <c>Parallel.ForEach</c>.</summary>
    public string? Baseline { get; init; }

    public int Workers { get; init; }

    public long Items { get; init; }

    public double WallSeconds { get; init; }

    public double CpuSeconds { get; init; }

    public long Failed { get; init; }

    /// <summary>What <see cref="Speedup"/> is over, in <see cref="SpeedupOver"/>: the scene's sequential time.</summary>
    internal const string OverSequential = "sequential";

    /// <summary>What <see cref="Speedup"/> is over, in <see cref="SpeedupOver"/>, where the scene has no sequential run: the
    /// run's <see cref="Brigade.Reporting.RunLosses.Speedup"/>, in advise's words (<see cref="Commands.AdviseCommand.SpeedupOver"/>).</summary>
    internal const string OverOneWorker = Commands.AdviseCommand.SpeedupOver;

    /// <summary>What <see cref="Speedup"/> is over, in <see cref="SpeedupOver"/>, for runs that measure no speedup (the race
    /// scene's two threads): <see cref="Speedup"/> and <see cref="Efficiency"/> are then placeholders.</summary>
    internal const string OverNothing = "not measured";

    /// <summary>The scene's sequential time divided by this run's wall time (<see cref="SpeedupOver"/> <c>sequential</c>);
    /// where the scene has no sequential run, the run's <see cref="Brigade.Reporting.RunLosses.Speedup"/>, the same figure as
    /// <see cref="Losses"/>' <c>speedup</c>: the items' own time over the wall time, waits for a core not counted
    /// (<see cref="SpeedupOver"/> <c>one worker on an idle machine</c>). Before review 67 the latter was
    /// <see cref="RunReport.Speedup"/>, which counts waits for a core as work.</summary>
    public double Speedup { get; init; }

    /// <summary>What <see cref="Speedup"/> and <see cref="Efficiency"/> are over: <see cref="OverSequential"/>,
    /// <see cref="OverOneWorker"/> or <see cref="OverNothing"/>; new in review 67, absent in older documents.</summary>
    public string? SpeedupOver { get; init; }

    /// <summary>Speedup divided by the number of workers (capped by the number of cores for CPU-bound scenes).</summary>
    public double Efficiency { get; init; }

    public long? Batches { get; init; }

    public long? NotRun { get; init; }

    /// <summary>Items run per location (a silo address, a worker process) when workers ran outside this process; null otherwise.</summary>
    public Dictionary<string, long>? ItemsPerLocation { get; init; }

    /// <summary>The input indexes of the items that failed (at most 100), when any did.</summary>
    public List<long>? FailedIndexes { get; init; }

    /// <summary>For <c>auto</c> runs: the one-line explanation of the plan auto mode chose (the last one, when it re-planned).</summary>
    public string? Plan { get; init; }

    /// <summary>For <c>auto</c> runs: the class auto mode measured: <c>cpu-bound</c>, <c>blocking</c>, <c>async-io</c>, <c>tiny</c>, <c>mixed</c>.</summary>
    public string? Class { get; init; }

    /// <summary>For runs that compute a known number (the <c>race</c> scene's counter): the value a correct run gives.</summary>
    public long? Expected { get; init; }

    /// <summary>For runs that compute a known number: the value this run gave (lower than <see cref="Expected"/> when updates were lost).</summary>
    public long? Observed { get; init; }

    /// <summary>For Brigade runs: why the run was not faster (<see cref="RunReport.Losses"/>); null for baselines.</summary>
    public LossesRecord? Losses { get; init; }
}
