namespace Brigade.Auto;

/// <summary>
/// The adaptive concurrency limit for asynchronous I/O: additive increase, multiplicative decrease (AIMD), driven by
/// latency and by what the last change of the limit did to throughput, measured over windows of completed items.
/// </summary>
/// <remarks>
/// <para>Each window:</para>
/// <list type="bullet">
/// <item>latency within <see cref="LatencyTolerance"/>× the lowest seen: nothing queues, so the limit grows by
/// ⌈√limit⌉ (additive, in steps small relative to the limit);</item>
/// <item>latency above that, and the last change was an increase that raised throughput by at least
/// <see cref="ThroughputGain"/>: the extra latency buys throughput, so the limit keeps growing;</item>
/// <item>latency above that, and the last change was a decrease that cost at least that much throughput: the
/// decrease went too far, so the limit goes back to where it was;</item>
/// <item>otherwise requests queue without gain (a saturated server, network or CPU): the limit shrinks to
/// <see cref="Backoff"/>× itself;</item>
/// <item>and whatever the above says: throughput more than <see cref="BestMargin"/> below the best seen (which decays
/// by <see cref="BestDecay"/> a window, so a lasting change of the service is followed) sends the limit back to where
/// that best was measured. Single windows are noisy; this keeps a chain of unlucky windows from drifting the limit
/// far from a good one.</item>
/// </list>
/// <para>Throughput is compared across the last change of the limit, never window to window at a constant limit
/// (where it is flat by construction). Why AIMD rather than a gradient limiter (limit × minLatency / latency): the
/// gradient moves on every window in proportion to latency ratios, which are noisy on a shared machine, and
/// oscillates; AIMD moves down only on a clear signal and up in small steps, so it settles near the knee where
/// throughput stops growing. The starting limit comes from Little's law on the sample, so AIMD only fine-tunes.</para>
/// </remarks>
internal sealed class AimdLimiter
{
    /// <summary>Latency above this multiple of the lowest latency seen means requests are queueing.</summary>
    public const double LatencyTolerance = 2.0;

    /// <summary>The multiplicative decrease.</summary>
    public const double Backoff = 0.75;

    /// <summary>A throughput change of this ratio (5%) counts as a real change rather than noise.</summary>
    public const double ThroughputGain = 1.05;

    /// <summary>Throughput this far below the best seen (10%) restores the best's limit.</summary>
    public const double BestMargin = 0.9;

    /// <summary>The best throughput seen decays by this factor per window (2%).</summary>
    public const double BestDecay = 0.98;

    private readonly int _min;
    private double _bestThroughput;
    private int _bestLimit;
    private readonly int _max;
    private int _direction;
    private int _previousLimit;
    private double _throughputBeforeChange;
    private double _lastThroughput;

    /// <summary>Initializes a limiter.</summary>
    /// <param name="initial">The starting limit.</param>
    /// <param name="min">The lowest limit (the core count: below that asynchronous work is starved for no gain).</param>
    /// <param name="max">The highest limit.</param>
    /// <param name="baselineLatency">The latency of completed items measured at low concurrency, if known.</param>
    /// <param name="baselineThroughput">The throughput measured at low concurrency before the starting limit, if known.</param>
    /// <param name="baselineLimit">The limit that throughput was measured at.</param>
    public AimdLimiter(int initial, int min, int max, TimeSpan baselineLatency, double baselineThroughput = 0, int baselineLimit = 0)
    {
        _min = Math.Max(1, Math.Min(min, max));
        _max = Math.Max(_min, max);
        Limit = Math.Clamp(initial, _min, _max);
        MinLatency = baselineLatency > TimeSpan.Zero ? baselineLatency : TimeSpan.MaxValue;
        if (baselineThroughput > 0 && baselineLimit > 0 && baselineLimit != Limit)
        {
            // The starting limit counts as a change from the sample's width, judged by the first window.
            _direction = Limit > baselineLimit ? 1 : -1;
            _previousLimit = baselineLimit;
            _throughputBeforeChange = baselineThroughput;
        }
    }

    /// <summary>Gets the current limit.</summary>
    public int Limit { get; private set; }

    /// <summary>Gets the lowest window latency seen.</summary>
    public TimeSpan MinLatency { get; private set; }

    /// <summary>Takes one window's measurements at the current limit and returns the new limit.</summary>
    /// <param name="throughput">Items completed per second in the window.</param>
    /// <param name="latency">Mean time in flight of those items.</param>
    /// <returns>The new limit.</returns>
    public int Update(double throughput, TimeSpan latency)
    {
        if (latency <= TimeSpan.Zero || throughput <= 0)
        {
            return Limit;
        }

        if (latency < MinLatency)
        {
            MinLatency = latency;
        }

        _bestThroughput *= BestDecay;
        if (throughput > _bestThroughput)
        {
            _bestThroughput = throughput;
            _bestLimit = Limit;
        }

        var congested = latency.Ticks > MinLatency.Ticks * LatencyTolerance;
        var before = _throughputBeforeChange;
        int next;
        if (throughput < _bestThroughput * BestMargin && _bestLimit != Limit)
        {
            next = _bestLimit;
        }
        else if (!congested)
        {
            next = Limit + (int)Math.Ceiling(Math.Sqrt(Limit));
        }
        else if (_direction > 0 && before > 0 && throughput >= before * ThroughputGain)
        {
            next = Limit + (int)Math.Ceiling(Math.Sqrt(Limit));
        }
        else if (_direction < 0 && before > 0 && throughput * ThroughputGain <= before)
        {
            next = _previousLimit;
        }
        else
        {
            next = (int)(Limit * Backoff);
        }

        next = Math.Clamp(next, _min, _max);
        _lastThroughput = throughput;
        if (next != Limit)
        {
            _direction = next > Limit ? 1 : -1;
            _previousLimit = Limit;
            _throughputBeforeChange = _lastThroughput;
            Limit = next;
        }
        else
        {
            _direction = 0;
        }

        return Limit;
    }
}
