namespace Brigade.Processes.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Map_Squares()
    {
        await using var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2 });
        var items = Enumerable.Range(0, 10_000).ToArray();
        var result = await Runner.MapAsync(items, new Square(), new RunOptions { Engine = engine });
        Assert.Equal(items.Select(x => (long)x * x), result.Values);
        Console.WriteLine(result.Report);
        Console.WriteLine(engine.GetStatistics());
    }
}
