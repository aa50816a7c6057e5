namespace Brigade.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task MapAsync_ReturnsResultsInInputOrder()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 1000).ToArray(), x => x * 2);

        Assert.Equal(Enumerable.Range(0, 1000).Select(x => x * 2), result.Values);
    }
}
