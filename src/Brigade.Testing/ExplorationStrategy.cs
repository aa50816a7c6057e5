namespace Brigade.Testing;

/// <summary>How the explorer picks the next flow to run at each scheduling point.</summary>
public enum ExplorationStrategy
{
    /// <summary>Uniformly at random among the flows that can run: good at shallow bugs, many schedules quickly.</summary>
    Random = 1,

    /// <summary>Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random priorities, the highest runs,
    /// and a few random points where the running flow drops to the lowest; finds a bug of depth d with probability
    /// at least 1/(n·k^(d-1)) per schedule (n flows, k steps).</summary>
    Pct = 2,
}
