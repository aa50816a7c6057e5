namespace Brigade.Processes.Tests;

public sealed class OrderedStreamTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(1024)]
    [InlineData(4096)]
    public async Task StreamAsync_PreserveOrder_ManyFastItems_Finishes(int capacity)
    {
        await using var engine = TestEngines.Create();
        var items = Enumerable.Range(0, 20_000).ToArray();
        var options = new RunOptions { Engine = engine, PreserveOrder = true, StreamCapacity = capacity };

        long next = 0;
        await foreach (var r in Runner.StreamAsync(items, new Square(), options))
        {
            Assert.Equal(next++, r.Index);
            Assert.Equal((long)r.Index * r.Index, r.Value);
        }

        Assert.Equal(items.Length, next);
    }
}
