namespace Brigade.Processes.NativeWorker.Tests.Review34b;

/// <summary>
/// Review 34b: ProcessEngine.WarmUpAsync documents "ArgumentException: The type is not a work type that can cross a
/// process boundary", and on main (WorkDescriptor.For) a worker-executable engine threw it. The branch's PoolFor checks
/// only genericity for a worker executable: any type starts workers.
/// </summary>
public sealed class WarmUpNonWorkTypeTests
{
    [Fact(Timeout = 60_000)]
    public async Task WarmUpAsync_TypeThatIsNoWorkType_IsRefused_WithAWorkerExecutable()
    {
        await using var engine = TestWorker.Engine();

        await Assert.ThrowsAsync<ArgumentException>(() => engine.WarmUpAsync(typeof(string), 1));

        Assert.Equal(0, engine.GetStatistics().WorkersStarted);
    }

    [Fact(Timeout = 60_000)]
    public async Task WarmUpAsync_AbstractType_IsRefused_WithAWorkerExecutable()
    {
        await using var engine = TestWorker.Engine();

        await Assert.ThrowsAsync<ArgumentException>(() => engine.WarmUpAsync(typeof(AbstractWork), 1));
    }

    [Fact(Timeout = 60_000)]
    public async Task PrestartWorkType_TypeThatIsNoWorkType_IsRefused_WithAWorkerExecutable()
    {
        // ProcessEngine's constructor documents ArgumentException for a PrestartWorkType that is not a work type (main threw it).
        ProcessEngine? engine = null;
        try
        {
            Assert.Throws<ArgumentException>(() => engine = TestWorker.Engine(o => o.PrestartWorkType = typeof(string)));
        }
        finally
        {
            if (engine is not null)
            {
                await engine.DisposeAsync();
            }
        }
    }

    public abstract class AbstractWork : IWork<int, int>
    {
        public abstract int Execute(int input);
    }
}
