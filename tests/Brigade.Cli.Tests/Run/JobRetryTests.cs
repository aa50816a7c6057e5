using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class JobRetryTests
{
    // --retries and --retry-delay are the library's retry (exponential backoff with jitter), not a loop of the CLI's own.
    [Fact]
    public void ApplyTo_MapsOntoTheLibrarysItemRetry_WithExponentialBackoffAndJitter()
    {
        var options = new RunOptions();

        new JobRetry(3, TimeSpan.FromMilliseconds(250)).ApplyTo(options);

        var retry = Assert.IsType<ItemRetryOptions>(options.ItemRetry);
        Assert.Equal(3, retry.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), retry.Delay);
        Assert.Equal(RetryBackoff.Exponential, retry.Backoff);
        Assert.True(retry.UseJitter);
        Assert.True(retry.ShouldRetry!(new InvalidOperationException("exit code 1")));
        Assert.False(retry.ShouldRetry!(new OperationCanceledException()));
    }

    [Fact]
    public void ApplyTo_WithoutRetries_LeavesTheRunWithoutRetry()
    {
        var options = new RunOptions { ItemRetry = new ItemRetryOptions() };

        JobRetry.None.ApplyTo(options);

        Assert.Null(options.ItemRetry);
        Assert.True(JobRetry.None.IsLast(1));
    }

    [Fact]
    public void IsLast_IsTheAttemptAfterTheLastRetry()
    {
        var retry = new JobRetry(2, TimeSpan.Zero);

        Assert.False(retry.IsLast(1));
        Assert.False(retry.IsLast(2));
        Assert.True(retry.IsLast(3));
    }

    [Fact]
    public void Describe_NamesTheAttempts_OnlyWhenThereWereSeveral()
    {
        Assert.Equal("exit code 1", JobRetry.Describe("exit code 1", 1));
        Assert.Equal("exit code 1 (after 4 attempts)", JobRetry.Describe("exit code 1", 4));
    }
}
