using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests;

public sealed class RunOptionsTests
{
    [Fact]
    public void New_Defaults_AreTheDocumentedOnes()
    {
        var options = new RunOptions();

        Assert.Null(options.Engine);
        Assert.Null(options.MaxDegreeOfParallelism);
        Assert.Null(options.BatchSize);
        Assert.Equal(FailureMode.Continue, options.FailureMode);
        Assert.Null(options.Label);
        Assert.True(options.CollectTimeline);
        Assert.Equal(100_000, options.MaxTimelineEvents);
        Assert.Equal(1024, options.StreamCapacity);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Null(options.Progress);
        Assert.Same(Engine.Auto, Engine.Default);
        Assert.False(options.PreserveOrder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxDegreeOfParallelism_LessThanOne_Throws(int value)
    {
        var options = new RunOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxDegreeOfParallelism = value);
        Assert.Null(options.MaxDegreeOfParallelism);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void BatchSize_LessThanOne_Throws(int value)
    {
        var options = new RunOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.BatchSize = value);
        Assert.Null(options.BatchSize);
    }

    [Fact]
    public void MaxTimelineEvents_Negative_Throws()
    {
        var options = new RunOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxTimelineEvents = -1);
        Assert.Equal(100_000, options.MaxTimelineEvents);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void StreamCapacity_LessThanOne_Throws(int value)
    {
        var options = new RunOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.StreamCapacity = value);
        Assert.Equal(1024, options.StreamCapacity);
    }

    [Fact]
    public void TimeProvider_Null_Throws()
    {
        var options = new RunOptions();

        Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
    }

    [Fact]
    public void Setters_ValidValues_AreKept()
    {
        var clock = new FakeTimeProvider();
        var options = new RunOptions
        {
            MaxDegreeOfParallelism = 1,
            BatchSize = 1,
            MaxTimelineEvents = 0,
            StreamCapacity = 1,
            TimeProvider = clock,
        };

        Assert.Equal(1, options.MaxDegreeOfParallelism);
        Assert.Equal(1, options.BatchSize);
        Assert.Equal(0, options.MaxTimelineEvents);
        Assert.Equal(1, options.StreamCapacity);
        Assert.Same(clock, options.TimeProvider);

        options.MaxDegreeOfParallelism = null;
        options.BatchSize = null;
        Assert.Null(options.MaxDegreeOfParallelism);
        Assert.Null(options.BatchSize);
    }

    [Fact]
    public void Clone_ReturnsIndependentCopy()
    {
        var options = new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 3, Label = "a" };

        var copy = options.Clone();
        options.MaxDegreeOfParallelism = 7;
        options.Label = "b";

        Assert.NotSame(options, copy);
        Assert.Same(Engine.Threads, copy.Engine);
        Assert.Equal(3, copy.MaxDegreeOfParallelism);
        Assert.Equal("a", copy.Label);
    }

    [Fact]
    public async Task Run_OptionsChangedWhileRunning_RunKeepsItsSnapshot()
    {
        var options = new RunOptions { Engine = Engine.Sequential, Label = "before" };

        var result = await Runner.MapAsync(new[] { 1, 2, 3 }, x =>
        {
            options.Label = "after";
            return x;
        }, options);

        Assert.Equal("before", result.Report.Label);
    }
}
