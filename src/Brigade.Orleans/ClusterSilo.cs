namespace Brigade.Orleans;

/// <summary>A silo the cluster engine can run work on.</summary>
/// <param name="Address">The silo's address as reports show it, <c>host:port</c>.</param>
/// <param name="ProcessorCount">The number of processors the silo's process may use.</param>
/// <param name="Workers">The worker slots the engine gives it (<see cref="ClusterEngineOptions.WorkersPerSilo"/>, or its processor count).</param>
public sealed record ClusterSilo(string Address, int ProcessorCount, int Workers)
{
    /// <summary>Gets how many runs had worker grains on the silo when it was asked.</summary>
    public int ActiveRuns { get; init; }

    /// <summary>Gets how many items the silo was running when it was asked.</summary>
    public long ItemsRunning { get; init; }

    /// <summary>Gets how many items the silo has run since it started.</summary>
    public long ItemsCompleted { get; init; }
}
