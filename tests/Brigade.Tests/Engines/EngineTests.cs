namespace Brigade.Tests.Engines;

public sealed class EngineTests
{
    [Theory]
    [InlineData("sequential")]
    [InlineData("threadpool")]
    [InlineData("threads")]
    [InlineData("async")]
    [InlineData("ThreadPool")]
    public void TryGetBuiltIn_KnownName_FindsEngineCaseInsensitively(string name)
    {
        Assert.True(Engine.TryGetBuiltIn(name, out var engine));
        Assert.Equal(name, engine.Name, ignoreCase: true);
        Assert.Equal(engine.Name, engine.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("processes")]
    [InlineData("thread")]
    public void TryGetBuiltIn_UnknownName_ReturnsFalse(string name) => Assert.False(Engine.TryGetBuiltIn(name, out _));

    [Fact]
    public void BuiltInEngines_DefaultWidths_AreTheDocumentedOnes()
    {
        Assert.Equal(1, Engine.Sequential.GetDefaultDegreeOfParallelism());
        Assert.Equal(Environment.ProcessorCount, Engine.ThreadPool.GetDefaultDegreeOfParallelism());
        Assert.Equal(64, Engine.Threads.GetDefaultDegreeOfParallelism());
        Assert.Equal(256, Engine.Async.GetDefaultDegreeOfParallelism());
    }

    [Fact]
    public async Task Sequential_WidthAsked_StillRunsOneWorker()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), x => x, new RunOptions { Engine = Engine.Sequential, MaxDegreeOfParallelism = 8 });

        Assert.Equal(1, result.Report.DegreeOfParallelism);
        Assert.Single(result.Report.Workers);
    }
}
