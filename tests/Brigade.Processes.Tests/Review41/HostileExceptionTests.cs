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

    [Fact(Timeout = 60_000)]
    public async Task ResultSerializersThrowSuchAnException_OnlyThoseItemsFail_NoWorkerDies()
    {
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 8), new R41HostileResults(), TestEngines.Run(engine, batchSize: 8));

        Assert.Equal([2L, 3L], result.Failures.Select(f => f.Index));
        var unsent = Assert.IsType<RemoteWorkException>(result.Failures[0].Exception);
        Assert.Equal(typeof(InvalidDataException).FullName, unsent.RemoteType);
        Assert.Contains("Message threw InvalidOperationException", unsent.Message, StringComparison.Ordinal);
        var unread = Assert.IsType<System.Text.Json.JsonException>(result.Failures[1].Exception);
        Assert.Contains("Message threw InvalidOperationException", unread.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
        foreach (var i in new[] { 0, 1, 4, 5, 6, 7 })
        {
            Assert.Equal(i, result[i].Value!.Value);
        }
    }
}
