using Brigade.Auto;

namespace Brigade.Tests.Auto;

public sealed class AimdLimiterTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void FlatLatency_GrowsAdditively_ByTheSquareRootOfTheLimit()
    {
        var limiter = new AimdLimiter(initial: 16, min: 2, max: 1024, baselineLatency: 10 * Ms);

        Assert.Equal(20, limiter.Update(throughput: 1_600, latency: 10 * Ms));
        Assert.Equal(25, limiter.Update(throughput: 2_000, latency: 10 * Ms));
    }

    [Fact]
    public void LatencyDoubledWithoutMoreThroughput_BacksOffMultiplicatively()
    {
        var limiter = new AimdLimiter(initial: 100, min: 2, max: 1024, baselineLatency: Ms);
        limiter.Update(throughput: 10_000, latency: Ms);

        var limit = limiter.Update(throughput: 10_000, latency: 3 * Ms);

        Assert.Equal((int)(110 * AimdLimiter.Backoff), limit);
    }

    [Fact]
    public void LatencyRiseThatBoughtThroughput_KeepsGrowing()
    {
        var limiter = new AimdLimiter(initial: 100, min: 2, max: 1024, baselineLatency: Ms);
        limiter.Update(throughput: 10_000, latency: Ms);

        Assert.Equal(121, limiter.Update(throughput: 20_000, latency: 3 * Ms));
    }

    [Fact]
    public void DecreaseThatCostThroughput_IsUndone()
    {
        var limiter = new AimdLimiter(initial: 100, min: 2, max: 1024, baselineLatency: Ms);
        limiter.Update(throughput: 10_000, latency: Ms);
        Assert.Equal(82, limiter.Update(throughput: 10_000, latency: 3 * Ms));

        Assert.Equal(110, limiter.Update(throughput: 8_000, latency: 3 * Ms));
    }

    [Fact]
    public void ThroughputFarBelowTheBestSeen_RestoresTheBestLimit()
    {
        var limiter = new AimdLimiter(initial: 200, min: 2, max: 1024, baselineLatency: Ms);
        limiter.Update(throughput: 50_000, latency: 3 * Ms);            // congested, no earlier change: back off to 150
        Assert.Equal(150, limiter.Limit);

        Assert.Equal(200, limiter.Update(throughput: 40_000, latency: 3 * Ms));
    }

    [Fact]
    public void ConstantLimit_IsNotJudgedWindowAgainstWindow()
    {
        // At a limit that has not changed, equal throughput says nothing about whether more concurrency would help;
        // a congested window then backs off once, and what that does to throughput decides the next step.
        var limiter = new AimdLimiter(initial: 200, min: 2, max: 1024, baselineLatency: Ms, baselineThroughput: 1_000, baselineLimit: 2);

        Assert.Equal(215, limiter.Update(throughput: 50_000, latency: 3 * Ms));
    }

    [Fact]
    public void StaysWithinItsBounds()
    {
        var limiter = new AimdLimiter(initial: 4, min: 2, max: 6, baselineLatency: Ms);
        for (var i = 0; i < 10; i++)
        {
            limiter.Update(throughput: 1_000 + i, latency: Ms);
        }

        Assert.Equal(6, limiter.Limit);
        for (var i = 0; i < 10; i++)
        {
            limiter.Update(throughput: 1_000, latency: 100 * Ms);
        }

        Assert.Equal(2, limiter.Limit);
    }

    [Fact]
    public void EmptyWindow_ChangesNothing()
    {
        var limiter = new AimdLimiter(initial: 8, min: 2, max: 64, baselineLatency: Ms);

        Assert.Equal(8, limiter.Update(throughput: 0, latency: TimeSpan.Zero));
    }
}
