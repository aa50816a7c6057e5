namespace Brigade.Auto;

/// <summary>
/// The re-check of a one-worker CPU plan (items that cost more CPU beside another worker than alone,
/// <see cref="AutoPlanner.MinWidthGain"/>): one worker contends with nobody, so its windows cannot show that the
/// contention is gone (it was the sample's start-up, or the items grew heavier and do more of their own work per shared
/// access). Every so many judged windows (<see cref="AutoTuning.WidthRecheckWindows"/>, doubling after each re-check that
/// keeps one worker), or at once when the CPU time per item changed by <see cref="AutoTuning.WidthRecheckCpuChange"/>,
/// two workers run for a window; the planner's own rule then judges the one-worker windows just before against it.
/// </summary>
/// <remarks>Pure bookkeeping over windows, no clock: the monitor feeds it each judged window of the plan (under the
/// controller's lock) and does what it asks.</remarks>
internal sealed class WidthRecheck
{
    private int _every = AutoTuning.WidthRecheckWindows;
    private int _windows;
    private WorkSample _previousAlone;
    private WorkSample _lastAlone;
    private WorkSample _probe;
    private int _probeWindows;
    private double _referenceCpu;

    /// <summary>Gets whether two workers run for the re-check now.</summary>
    public bool Probing { get; private set; }

    /// <summary>Gets how many judged windows at one worker come before the next re-check.</summary>
    public int Every => _every;

    /// <summary>Gets the evidence of the last re-check: the last one-worker windows before it (alone) and its own windows
    /// (beside another worker, mostly).</summary>
    public WorkSample Evidence => _previousAlone + _lastAlone + _probe;

    /// <summary>Starts afresh at a plan; <paramref name="planSample"/> gives the CPU per item the changes are measured from.</summary>
    /// <param name="planSample">The plan's measurements.</param>
    /// <param name="fromCache">Whether the plan came from the plan cache: its growth was measured in another run, maybe on a
    /// machine loaded otherwise, so it is re-checked after <see cref="AutoTuning.MinWindowTicks"/> windows, not
    /// <see cref="AutoTuning.WidthRecheckWindows"/>.</param>
    /// <param name="every">The judged windows before the first re-check when not from the cache (default
    /// <see cref="AutoTuning.WidthRecheckWindows"/>).</param>
    public void Restart(in WorkSample planSample, bool fromCache = false, int every = AutoTuning.WidthRecheckWindows)
    {
        _every = fromCache ? AutoTuning.MinWindowTicks : every;
        _windows = 0;
        _previousAlone = _lastAlone = _probe = default;
        _probeWindows = 0;
        Probing = false;
        _referenceCpu = AloneCpuPerItem(planSample);
    }

    /// <summary>Gets the re-check's own windows (at two workers).</summary>
    public WorkSample Probe => _probe;

    /// <summary>Takes a judged window of the one-worker plan and says what comes next.</summary>
    /// <param name="window">The window.</param>
    /// <param name="probeWindows">For a serialized plan, whose evidence is the lock's timed waits at two threads (not the
    /// CPU per item): judge after this many windows of the re-check; null: once the CPU per item on both sides is measured
    /// (<see cref="AutoPlanner.ScalingMeasured"/>), or after <see cref="AutoTuning.MaxWidthProbeWindows"/>.</param>
    public WidthRecheckStep Next(in WorkSample window, int? probeWindows = null)
    {
        if (Probing)
        {
            _probe += window;
            _probeWindows++;
            var judged = probeWindows is { } n ? _probeWindows >= n : AutoPlanner.ScalingMeasured(Evidence) || _probeWindows >= AutoTuning.MaxWidthProbeWindows;
            return judged ? WidthRecheckStep.Judge : WidthRecheckStep.Stay;
        }

        _previousAlone = _lastAlone;
        _lastAlone = window;
        _windows++;
        var cpu = AloneCpuPerItem(window);
        if (_referenceCpu <= 0)
        {
            // A plan from the cache has no figures alone: the first window at one worker is the reference.
            _referenceCpu = cpu;
        }

        var changed = cpu > 0 && _referenceCpu > 0 &&
            (cpu >= _referenceCpu * AutoTuning.WidthRecheckCpuChange || cpu * AutoTuning.WidthRecheckCpuChange <= _referenceCpu);
        if (changed)
        {
            // The heavier (or lighter) items alone are the reference now; the windows of the others say nothing of them.
            _previousAlone = default;
        }

        if (!changed && _windows < _every)
        {
            return WidthRecheckStep.Stay;
        }

        Probing = true;
        _probe = default;
        _probeWindows = 0;
        return WidthRecheckStep.Probe;
    }

    /// <summary>The re-check kept one worker: back to counting windows, twice as many before the next one; the latest CPU per
    /// item alone is the reference.</summary>
    public void KeptOne()
    {
        _every = (int)Math.Min(int.MaxValue / 2, _every * 2L);
        _windows = 0;
        Probing = false;
        _probe = default;
        _probeWindows = 0;
        if (AloneCpuPerItem(_lastAlone) is > 0 and var cpu)
        {
            _referenceCpu = cpu;
        }

        _previousAlone = default;
    }

    // CPU time per item of the batches that ran alone, net of GC pauses (as AutoPlanner.CpuGrowth takes it); 0 if none.
    private static double AloneCpuPerItem(in WorkSample sample) =>
        sample.SoloItems > 0 ? (double)AutoPlanner.SoloItemCpu(sample) / sample.SoloItems : 0;
}
