using System.Diagnostics;
using Brigade.Orleans.Tests.Review47;

namespace Brigade.Orleans.Tests.Review59;

/// <summary>
/// Review 59, by hand: one silo of three frozen (SIGSTOP) held every `brigade run` 77 s before its first item: the engine's
/// discovery and then the run's own probe each waited out PrepareTimeout (30 s) for it while the others had answered at
/// once. Once one silo has answered, the others now get 10 s more (2 s for silos that missed the engine's previous probe).
/// Uses the review 47 cluster (in-process): its second silo's Prepare answers are held back while the gate is set.
/// </summary>
[Collection("review47-half-refusing")]
public sealed class FrozenSiloProbeTests(HalfRefusingCluster fixture)
{
    // PrepareTimeout is 120 s, so the bug's wait is far beyond the test's own limit (60 s); the grace is 10 s, then 2 s.
    [Fact(Timeout = 60_000)]
    public async Task ASiloThatDoesNotAnswer_WhileAnotherDid_IsLeftOutAfterTheGrace_NotThePrepareTimeout()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, PrepareTimeout = TimeSpan.FromSeconds(120) });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HalfRefusingCluster.Hang = gate;
        try
        {
            var silos = await engine.DiscoverAllAsync();

            var frozen = Assert.Single(silos, s => s.NotAnswering is not null);
            Assert.Equal(fixture.SilentSilo, frozen.Address);
            Assert.Contains("while the other silos answered", frozen.NotAnswering, StringComparison.Ordinal);

            // The run's own probe: the silo missed the previous one, so it gets the short grace; the run goes on without it.
            var clock = Stopwatch.StartNew();
            var result = await Runner.MapAsync(Enumerable.Range(0, 20), new Square(), new RunOptions { Engine = engine });

            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i * i), result.Values);
            Assert.Contains($"left out: {fixture.SilentSilo} (not answering (no answer within ", result.Report.Plan, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"the run took {clock.Elapsed}");
        }
        finally
        {
            HalfRefusingCluster.Hang = null;
            gate.SetResult();
        }
    }

    // A question held on its way (a frozen silo's gateway holds what the client routes through it) is asked again through a
    // grain of a new generation after 3 s; before, every silo behind that gateway was "not answering" after PrepareTimeout.
    [Fact(Timeout = 60_000)]
    public async Task QuestionsHeldOnTheWay_AreAskedAgain_ThroughAnotherGrain()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, PrepareTimeout = TimeSpan.FromSeconds(120) });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HalfRefusingCluster.HangFirstAsks = gate;
        try
        {
            var silos = await engine.DiscoverAllAsync();

            Assert.Equal(2, silos.Count);
            Assert.All(silos, s => Assert.Null(s.NotAnswering));
        }
        finally
        {
            HalfRefusingCluster.HangFirstAsks = null;
            gate.SetResult();
        }
    }
}
