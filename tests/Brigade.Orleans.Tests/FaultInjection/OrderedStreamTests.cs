namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>Issue 12's ordered-streaming hang, checked on the cluster engine: 20,000 items streamed in input order finish.</summary>
/// <remarks>The hang stopped ordered streams for good after 740-1,828 results with a StreamCapacity of 1,024 or 4,096
/// (docs/reliability.md, "Ordered streams never stall"): 20,000 is over ten times the latest of those and nearly five times
/// the larger capacity, so a stream that stalls the same way still never reaches the end. It was 100,000 (five times the
/// cluster's serialization and reordering for the same checks; Brigade.Cli.Tests' OrderedStreamEveryEngineTests went from
/// 100,000 to 10,000 for the same reason in review 65).</remarks>
[Trait("Category", "FaultInjection")]
[Collection("cluster")]
public sealed class OrderedStreamTests(ClusterFixture fixture)
{
    [Theory(Timeout = 90_000)]
    [InlineData(1024)]
    [InlineData(4096)]
    public async Task StreamingTwentyThousandItemsInOrder_DeliversEachOnceInOrder(int capacity)
    {
        const int Items = 20_000;
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
