namespace Brigade.Processes.Tests.Review41;

/// <summary>
/// Review 41: work that throws an exception whose Message getter throws. Before, describing it in the worker threw, the
/// worker died (SIGABRT) twice, and the item was reported as a <see cref="WorkerCrashedException"/> that "took down 2
/// worker processes"; the item's own failure was never reported.
/// </summary>
public sealed class HostileExceptionTests
{
    [Fact(Timeout = 60_000)]
    public async Task MessageGetterThrows_TheItemFailsWithItsType_NoWorkerDies()
    {
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 10), new R41ThrowsHostile(), TestEngines.Run(engine));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.Index);
        var remote = Assert.IsType<RemoteWorkException>(failure.Exception);
        Assert.Equal(typeof(R41HostileMessageException).FullName, remote.RemoteType);
        Assert.Contains("Message threw InvalidOperationException", remote.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
        for (var i = 0; i < 10; i++)
        {
            if (i != 2)
            {
                Assert.Equal(i, result[i].Value);
            }
        }
    }
}
