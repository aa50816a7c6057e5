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

    // A work type in this process gets the kit's per-attempt timeout and retry; on worker processes the engine enforces its own.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TypedWork_InProcess_MapsTimeoutAndRetriesOntoTheRunOptions(bool inProcess)
    {
        var (descriptor, instance) = WorkLoader.Resolve(typeof(Brigade.Samples.WorkTypes.SquareWork).Assembly.Location, typeof(Brigade.Samples.WorkTypes.SquareWork).FullName!);
        var work = WorkLoader.Create(descriptor, instance, inProcess, new JobRetry(2, TimeSpan.FromMilliseconds(5)), TimeSpan.FromSeconds(7));
        var options = new RunOptions { Engine = Engine.Sequential };

        var stream = work.Start(AsyncEnumerable.Empty<PreparedItem>(), options, (_, _, _) => { });
        await foreach (var _ in stream.Results)
        {
        }

        Assert.Equal(inProcess ? TimeSpan.FromSeconds(7) : null, options.ItemTimeout);
        Assert.Equal(inProcess ? 2 : null, options.ItemRetry?.MaxRetries);
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
