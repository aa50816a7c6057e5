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

    /// <summary>Gets why the silo did not answer when asked (<c>no answer within 30 s</c>, the exception of the call), or
    /// <see langword="null"/> when it answered. Only <see cref="ClusterEngine.DiscoverAllAsync"/> lists such a silo: with
    /// no cores, workers, runs or items known, left out of runs until it answers.</summary>
    public string? NotAnswering { get; init; }

    /// <summary>Gets when the engine first asked the silo and got no answer, of the probes in a row it missed (for a new
    /// engine, the probe that listed it); <see langword="null"/> when it answered.</summary>
    public DateTimeOffset? NotAnsweringSince { get; init; }

    /// <summary>Gets what the cluster's membership says of a silo that did not answer: its status, when it started, its last
    /// I-am-alive record and the silos that suspect it (<c>active since 2026-12-05 15:50:00 UTC, last I-am-alive ...</c>);
    /// <see langword="null"/> when it answered.</summary>
    public string? Membership { get; init; }
}
