using Brigade.Engines;

namespace Brigade.Diagnostics;

/// <summary>
/// The progress watchdog's batch hook (<see cref="RunOptions.ProgressWatchdog"/>): a worker is watched while it runs a
/// batch, and a finished batch is progress.
/// </summary>
/// <remarks>
/// The worker's participant lives in its slot, so the watchdog's lock is taken only at a worker's first batch and stays
/// a leaf (nothing else is called under it).
/// </remarks>
internal sealed class WatchdogHook(ProgressWatchdog watchdog) : IBatchHook
{
    public object? Enter(EngineWorker worker, ref object? slot)
    {
        var participant = slot as ProgressParticipant ?? (ProgressParticipant)(slot = watchdog.AddRunWorker(worker.Name));
        ProgressWatchdog.EnterBatch(participant);
        return null;
    }

    public void Exit(EngineWorker worker, object? slot, object? entered, int ran) => ProgressWatchdog.ExitBatch((ProgressParticipant)slot!, ran);
}
