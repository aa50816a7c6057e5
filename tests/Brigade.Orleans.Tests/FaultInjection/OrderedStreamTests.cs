namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>Issue 12's ordered-streaming hang, checked on the cluster engine: 100,000 items streamed in input order finish.</summary>
[Trait("Category", "FaultInjection")]
[Collection("cluster")]
public sealed class OrderedStreamTests(ClusterFixture fixture)
{
    [Theory(Timeout = 90_000)]
    [InlineData(1024)]
    [InlineData(4096)]
    public async Task StreamingAHundredThousandItemsInOrder_DeliversEachOnceInOrder(int capacity)
    {
        const int Items = 100_000;
        var next = 0L;
        var options = new RunOptions { Engine = fixture.Engine, PreserveOrder = true, StreamCapacity = capacity };

        await foreach (var result in Runner.StreamAsync(Enumerable.Range(0, Items), new Square(), options))
        {
            Assert.Equal(next, result.Index);
            Assert.Equal((long)result.Index * result.Index, result.Value);
            next++;
        }

        Assert.Equal(Items, next);
    }
}
