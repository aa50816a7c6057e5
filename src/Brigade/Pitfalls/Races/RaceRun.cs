using System.Collections.Concurrent;

namespace Brigade.Diagnostics;

/// <summary>
/// Happens-before through a run of Brigade's engines: every worker's flow forks from the clock of the flow that
/// started the run (an item's start follows its submission), each batch's end publishes into the run's completion, and
/// the run's end orders the starting flow after all of it (the run's completion follows every item).
/// </summary>
/// <remarks>Created only while a <see cref="RaceDetector"/> is active; otherwise a run holds null and pays one static read.</remarks>
internal sealed class RaceRun
{
    private readonly RaceDetector _detector;
    private readonly RaceFlow _starter;
    private readonly int[] _submission;
    private readonly SyncClock _completion = new();
    private readonly ConcurrentQueue<RaceFlow> _workers = new();

    private RaceRun(RaceDetector detector, RaceFlow starter)
    {
        _detector = detector;
        _starter = starter;
        _submission = starter.Snapshot();
        starter.Tick();
    }

    /// <summary>Called where a run starts, in the starting flow; null when no detector is active.</summary>
    public static RaceRun? Begin() =>
        TrackedAccess.Detector is { } detector && detector.CurrentFlow() is { IsTracked: true } starter ? new RaceRun(detector, starter) : null;

    /// <summary>A worker's flow, at its first batch: it forks from the run's submission.</summary>
    public RaceFlow Fork(string name)
    {
        var flow = _detector.ForkFrom(_submission, name);
        _workers.Enqueue(flow);
        return flow;
    }

    /// <summary>Before a worker runs a batch: the worker's flow becomes current. Returns what to restore.</summary>
    public static RaceFlow? Enter(RaceFlow flow)
    {
        var previous = RaceDetector.GetAsyncFlow();
        RaceDetector.SetAsyncFlow(flow);
        return previous;
    }

    /// <summary>After a batch: its end is published to the run's completion.</summary>
    public void Exit(RaceFlow flow, RaceFlow? previous)
    {
        if (flow.IsTracked)
        {
            flow.MergeInbox();
            _completion.Release(flow);
        }

        RaceDetector.SetAsyncFlow(previous);
    }

    /// <summary>After every worker exited: the starting flow is ordered after every batch (delivered at its next operation).</summary>
    public void Complete()
    {
        foreach (var flow in _workers)
        {
            flow.Finish();
        }

        _starter.Post(_completion.Snapshot());
    }
}
