using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// The rule by which a tiny job's first worker offers a pool thread to join it (AutoWorkerPool.OffersJoin): not when the
/// run's first batch started late, the pool's threads then asleep (a pause before the run) or the cores busy, where the
/// offer wakes a blocked thread that rarely comes in time (docs/performance.md, `tiny`: +7.5–13.5 µs a run after a
/// pause). The late start failed before (the offer was made whenever the pool had an idle thread, blocked ones included).
/// </summary>
public sealed class AutoTinyJoinRuleTests
{
    private static readonly double Rest = TimeSpan.FromMicroseconds(100).Ticks;

    [Fact]
    public void LateFirstBatch_OffersNoJoin_WithoutAskingThePool()
    {
        var asked = 0;
        var offers = AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: true, Rest, TimeSpan.FromMicroseconds(80), () => { asked++; return true; });
        Assert.False(offers);
        Assert.Equal(0, asked);
    }

    [Fact]
    public void PromptFirstBatch_OffersJoin_WhenThePoolHasAnIdleThread()
    {
        Assert.True(AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: true, Rest, TimeSpan.FromMicroseconds(5), () => true));
        Assert.False(AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: true, Rest, TimeSpan.FromMicroseconds(5), () => false));
    }

    [Fact]
    public void OtherConditions_StillHold()
    {
        var prompt = TimeSpan.FromMicroseconds(5);
        Assert.False(AutoWorkerPool<int, int>.OffersJoin(1, tinyRest: true, Rest, prompt, () => true));
        Assert.False(AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: false, Rest, prompt, () => true));
        Assert.False(AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: true, TimeSpan.FromMicroseconds(20).Ticks, prompt, () => true));
        Assert.True(AutoWorkerPool<int, int>.OffersJoin(2, tinyRest: true, Rest, AutoTuning.TinyJoinMaxStartDelay, () => true));
    }
}
