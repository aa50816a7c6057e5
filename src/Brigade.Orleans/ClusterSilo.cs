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

    /// <summary>Gets why runs leave the silo out whatever their work (it speaks another protocol version: another version of
    /// Brigade.Orleans), or <see langword="null"/> when it takes work. Its <see cref="Workers"/> are not counted in the
    /// engine's default width.</summary>
    /// <remarks>A silo can also be left out of one run for that run's work type (another build of it); that reason is in the
    /// run's <see cref="RunReport.Plan"/>.</remarks>
    public string? Refusal { get; init; }
}
