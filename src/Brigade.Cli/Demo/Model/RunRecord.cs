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

    /// <summary>Wall time of the scene's sequential run divided by this run's; the run's own estimate when the scene has none.</summary>
    public double Speedup { get; init; }

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
