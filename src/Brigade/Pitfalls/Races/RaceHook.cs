using Brigade.Engines;

namespace Brigade.Diagnostics;

/// <summary>
/// The race detector's batch hook: each worker's batches run as the worker's own flow, forked from the flow that
/// started the run, and each batch's end is published to the run's completion (see <see cref="RaceRun"/>).
/// </summary>
/// <remarks>The worker's flow lives in its slot, created at its first batch.</remarks>
internal sealed class RaceHook : IBatchHook
{
    private readonly RaceRun _run;

    private RaceHook(RaceRun run) => _run = run;

    /// <summary>Called where a run starts, in the starting flow; null when no race detector is active.</summary>
    public static RaceHook? Begin() => RaceRun.Begin() is { } run ? new RaceHook(run) : null;

    public object? Enter(EngineWorker worker, ref object? slot)
    {
        var flow = slot as RaceFlow ?? (RaceFlow)(slot = _run.Fork(worker.Name));
        return RaceRun.Enter(flow);
    }

    public void Exit(EngineWorker worker, object? slot, object? entered, int ran) => _run.Exit((RaceFlow)slot!, (RaceFlow?)entered);

    /// <summary>After every worker exited: the starting flow is ordered after every batch.</summary>
    public void Complete() => _run.Complete();
}
