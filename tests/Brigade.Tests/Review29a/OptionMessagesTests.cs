namespace Brigade.Tests.Review29a;

/// <summary>A rejected option names itself and the value it got (review 29a, finding 6).</summary>
public sealed class OptionMessagesTests
{
    [Fact]
    public void RunOptions_RejectedValues_NameTheOption()
    {
        Assert.Contains("RunOptions.StreamCapacity must be at least 1 (got 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { StreamCapacity = 0 }).Message);
        Assert.Contains("RunOptions.MaxTimelineEvents", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { MaxTimelineEvents = -1 }).Message);
        Assert.Contains("RunOptions.ItemTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { ItemTimeout = TimeSpan.Zero }).Message);
        Assert.Contains("use null", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { ItemTimeout = TimeSpan.FromDays(2) }).Message);
        Assert.Contains("RunOptions.MaxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { MaxDegreeOfParallelism = 0 }).Message);
        Assert.Contains("RunOptions.BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { BatchSize = 0 }).Message);
    }

    [Fact]
    public void ItemRetryOptions_RejectedValues_NameTheOption()
    {
        Assert.Contains("ItemRetryOptions.MaxRetries must be from 1 to 100 (got 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxRetries = 0 }).Message);
        Assert.Contains("ItemRetryOptions.MaxRetries", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxRetries = 101 }).Message);
        Assert.Contains("ItemRetryOptions.Delay", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { Delay = TimeSpan.FromSeconds(-1) }).Message);
        Assert.Contains("ItemRetryOptions.MaxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxDelay = TimeSpan.Zero }).Message);
    }

    [Fact]
    public void ItemTimeout_InfiniteTimeSpan_MeansNoLimit()
    {
        var options = new RunOptions { ItemTimeout = Timeout.InfiniteTimeSpan };

        Assert.Null(options.ItemTimeout);
    }
}
