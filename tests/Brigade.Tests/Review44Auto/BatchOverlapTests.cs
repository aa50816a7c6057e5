using Brigade.Auto;

namespace Brigade.Tests.Review44Auto;

/// <summary>Which batches ran alone (<see cref="BatchOverlap"/>): deterministic sequences of starts and ends.</summary>
public sealed class BatchOverlapTests
{
    [Fact]
    public void ABatchWithNobodyElse_RanAlone()
    {
        var overlap = new BatchOverlap();

        Assert.True(overlap.Leave(overlap.Enter()));
        Assert.True(overlap.Leave(overlap.Enter()));
    }

    [Fact]
    public void ABatchStartedBesideAnother_DidNotRunAlone_NorDidTheOther()
    {
        var overlap = new BatchOverlap();
        var first = overlap.Enter();
        var second = overlap.Enter();

        Assert.False(overlap.Leave(second));
        Assert.False(overlap.Leave(first));
    }

    [Fact]
    public void ABatchAnotherStartedAndEndedWithin_DidNotRunAlone()
    {
        var overlap = new BatchOverlap();
        var outer = overlap.Enter();
        overlap.Leave(overlap.Enter());

        Assert.False(overlap.Leave(outer));

        // Once both ended, the next batch alone is alone again.
        Assert.True(overlap.Leave(overlap.Enter()));
    }
}
