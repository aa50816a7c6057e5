namespace Brigade.Auto;

/// <summary>
/// The adaptive concurrency limit for asynchronous I/O: additive increase, multiplicative decrease (AIMD), driven by
/// latency and throughput measured over windows of completed items.
/// </summary>
/// <remarks>
/// <para>Each window: when the mean latency stays within <see cref="LatencyTolerance"/>× the lowest latency seen and
/// throughput did not fall, the limit grows by ⌈√limit⌉ (additive, in steps that stay small relative to the limit);
/// when latency rises beyond that without a matching gain in throughput, requests are queueing somewhere (the
/// server, the network, our own CPU) and the limit shrinks to <see cref="Backoff"/>× itself.</para>
/// <para>Why AIMD and not a gradient limiter: a gradient (limit × minLatency / latency) moves on every window in
/// proportion to noisy latency ratios, and on a shared machine it oscillates; AIMD only moves down on a clear
/// signal (latency doubled and throughput flat) and moves up slowly, which converges near the knee where
/// throughput stops growing and is stable under noise. The starting limit comes from Little's law on the sample,
/// so AIMD only fine-tunes it.</para>
/// </remarks>
internal sealed class AimdLimiter
{
    /// <summary>Latency above this multiple of the lowest latency seen means requests are queueing.</summary>
    public const double LatencyTolerance = 2.0;

    /// <summary>The multiplicative decrease.</summary>
    public const double Backoff = 0.75;

    /// <summary>A throughput gain this large (10%) justifies a latency rise: the limit holds instead of backing off.</summary>
    public const double ThroughputGain = 1.10;

    private readonly int _min;
    private readonly int _max;
    private double _previousThroughput;

    /// <summary>Initializes a limiter.</summary>
    /// <param name="initial">The starting limit.</param>
    /// <param name="min">The lowest limit (the core count: below that asynchronous work is starved for no gain).</param>
    /// <param name="max">The highest limit.</param>
    /// <param name="baselineLatency">The latency measured at low concurrency, if known.</param>
    public AimdLimiter(int initial, int min, int max, TimeSpan baselineLatency)
    {
        _min = Math.Max(1, Math.Min(min, max));
        _max = Math.Max(_min, max);
        Limit = Math.Clamp(initial, _min, _max);
        MinLatency = baselineLatency > TimeSpan.Zero ? baselineLatency : TimeSpan.MaxValue;
    }

    /// <summary>Gets the current limit.</summary>
    public int Limit { get; private set; }

    /// <summary>Gets the lowest window latency seen.</summary>
    public TimeSpan MinLatency { get; private set; }

    /// <summary>Takes one window's measurements and returns the new limit.</summary>
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

        var congested = latency.Ticks > MinLatency.Ticks * LatencyTolerance;
        var previous = _previousThroughput;
        _previousThroughput = throughput;
        if (congested)
        {
            if (previous <= 0 || throughput < previous * ThroughputGain)
            {
                Limit = Math.Max(_min, (int)(Limit * Backoff));
            }
        }
        else if (previous <= 0 || throughput >= previous * 0.95)
        {
            Limit = Math.Min(_max, Limit + (int)Math.Ceiling(Math.Sqrt(Limit)));
        }

        return Limit;
    }
}
