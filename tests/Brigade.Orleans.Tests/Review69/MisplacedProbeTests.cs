using System.Diagnostics;
using Brigade.Orleans.Grains;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Brigade.Orleans.Tests.Review69;

/// <summary>
/// Review 69: a silo whose discovery grain was placed on another silo (the first question came before the placing silo
/// counted it compatible, as at load when a silo has just started) was "leaving the cluster (its worker was placed on ...)"
/// at every question after, for 60 s (SiloLossTests' extra silo). Review 68 told the misplaced grain to go; it went, but the
/// silo that had placed it (the client's gateway for that grain) kept the placement in its cache of grain locations, so the
/// next question of the same key went to the same silo, which activated the grain there again.
/// </summary>
public sealed class MisplacedProbeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    // Three silos: the grain named for one is placed on a second, never on the silo placing it (the client's gateway for
    // that grain), whose own cache a deactivation on itself would clear.
    public async Task InitializeAsync()
    {
        _cluster = ClusterFixture.Build(3);
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task ASiloWhoseFirstQuestionWasPlacedElsewhere_ReadsActiveWithinAFewQuestions()
    {
        var named = _cluster.Silos[2].SiloAddress;
        var prefix = named.ToParsableString() + "/probe/";
        var misplaced = 0;
        var placements = 0;
        SlotPlacementDirector.Misplace = (key, placing, compatible) =>
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref placements);
            }

            // Only the first placement: later ones find the silo compatible, as they would once it is known.
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || Interlocked.CompareExchange(ref misplaced, 1, 0) != 0)
            {
                return null;
            }

            return compatible.First(s => !s.Equals(named) && !s.Equals(placing));
        };
        try
        {
            var engine = new ClusterEngine(_cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1 });
            var name = named.Endpoint.ToString();
            var first = (await engine.DiscoverAllAsync()).Single(s => s.Address == name);
            Assert.Equal(1, Volatile.Read(ref misplaced));
            Assert.StartsWith("the silo is leaving the cluster (its worker was placed on", first.NotAnswering, StringComparison.Ordinal);

            // The bug: every question after answered from the same other silo, as long as they were asked.
            var waited = Stopwatch.StartNew();
            for (var question = 2; ; question++)
            {
                await Task.Delay(100);
                var listed = (await engine.DiscoverAllAsync()).Single(s => s.Address == name);
                output.WriteLine($"question {question}: {listed.NotAnswering ?? "active"}");
                if (listed.NotAnswering is null)
                {
                    Assert.True(listed.Workers > 0);
                    break;
                }

                // Placements of the silo's grains so far: 1 = the misplaced grain's silo kept getting the questions without
                // the placement director being asked again (the placing silo's cache of grain locations).
                Assert.True(question < 6, $"still not active at question {question} ({waited.Elapsed.TotalSeconds:0.0} s, {Volatile.Read(ref placements)} placement(s)): {listed.NotAnswering}");
            }
        }
        finally
        {
            SlotPlacementDirector.Misplace = null;
        }
    }
}
