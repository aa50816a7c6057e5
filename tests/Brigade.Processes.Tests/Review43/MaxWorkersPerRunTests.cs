namespace Brigade.Processes.Tests.Review43;

/// <summary>
/// Review 43: <see cref="ProcessEngineOptions.MaxWorkers"/> is the width of each run (and the idle pool's size), not a
/// cap on the engine's processes: runs at once each have their own workers. This pins the documented contract; an
/// engine-wide cap would make the second run wait for the first, and the rendezvous would fail.
/// </summary>
public sealed class MaxWorkersPerRunTests
{
    [Fact(Timeout = 120_000)]
    public async Task TwoRunsAtOnce_EachHasItsOwnWorkers_TheIdlePoolKeepsMaxWorkers()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r43-rendezvous-");
        try
        {
            await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
            var first = Runner.MapAsync([directory.FullName], new R43Rendezvous(), TestEngines.Run(engine));
            var second = Runner.MapAsync([directory.FullName], new R43Rendezvous(), TestEngines.Run(engine));
            var results = await Task.WhenAll(first, second);

            var pids = results.Select(r => r.Values[0]).ToArray();
            Assert.DoesNotContain(-1, pids);
            Assert.NotEqual(pids[0], pids[1]);
            var statistics = engine.GetStatistics();
            Assert.Equal(2, statistics.WorkersStarted);
            Assert.Equal(1, statistics.IdleWorkers);
            Assert.Equal(1, statistics.LiveWorkers);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
