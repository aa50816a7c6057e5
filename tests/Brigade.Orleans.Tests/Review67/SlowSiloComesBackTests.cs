using System.Diagnostics;
using Brigade.Orleans.Dispatch;
using Brigade.Orleans.Tests.Review47;

namespace Brigade.Orleans.Tests.Review67;

/// <summary>
/// Review 67: a silo that missed one of an engine's probes got only 2 s (SiloProbe.KnownSilentGrace) at each later one,
/// and its question was cancelled at that grace: a silo a little slow (2-10 s: still starting at load, a GC pause, a busy
/// machine) could never clear its "not answering" mark and was left out of every run of that engine (ci197: a test's
/// extra silo "never became active" in 60 s). The question now stays asked after the grace, up to PrepareTimeout, and a
/// late answer clears the mark: the next run gives the silo the normal grace (10 s). Uses the review 47 cluster: its
/// second silo's Prepare answers are held back while the gate is set (and refuse a run's work type: a run hears it, but
/// leaves it out for that).
/// </summary>
[Collection("review47-half-refusing")]
public sealed class SlowSiloComesBackTests(HalfRefusingCluster fixture)
{
    // Past the short grace, well within the normal one.
    private static readonly TimeSpan Slow = SiloProbe.KnownSilentGrace + TimeSpan.FromSeconds(1.5);

    [Fact(Timeout = 60_000)]
    public async Task ASiloThatMissedAProbe_AndAnswersLate_GetsTheNormalGraceAtTheNextRun()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, PrepareTimeout = TimeSpan.FromSeconds(20) });

        // It misses one probe.
        HalfRefusingCluster.Silent = true;
        try
        {
            Assert.Contains(await engine.DiscoverAllAsync(), s => s.Address == fixture.SilentSilo && s.NotAnswering is not null);
        }
        finally
        {
            HalfRefusingCluster.Silent = false;
        }

        // Then it answers, late: the run after the miss gives it the short grace and goes on without it (its answer is
        // held until the run is over)...
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HalfRefusingCluster.Hang = gate;
        RunResult<long> first;
        try
        {
            first = await Runner.MapAsync(Enumerable.Range(0, 20), new Square(), new RunOptions { Engine = engine });
        }
        finally
        {
            gate.SetResult();
            HalfRefusingCluster.Hang = null;
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i * i), first.Values);
        Assert.Contains($"left out: {fixture.SilentSilo} (not answering (no answer within ", first.Report.Plan, StringComparison.Ordinal);

        // ...but hears its answer, late: the silo is answering again. A hang check only: the answer comes as the run ends
        // (the bug: never, its question was cancelled at the grace).
        var waited = Stopwatch.StartNew();
        while (engine.NotAnsweringSince(fixture.SilentSilo) is not null)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), "the late answer never cleared the silo's mark");
            await Task.Delay(50);
        }

        // The next run gives it the normal grace and hears its answer, 3.5 s after the question. (This cluster's second silo
        // answers a run's question with a refusal of the work type, so it is left out for that: what the run heard from it,
        // not "not answering".)
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HalfRefusingCluster.Hang = slow;
        var answer = Task.Delay(Slow).ContinueWith(_ => slow.SetResult(), TaskScheduler.Default);
        RunResult<long> second;
        try
        {
            second = await Runner.MapAsync(Enumerable.Range(0, 20), new Square(), new RunOptions { Engine = engine });
        }
        finally
        {
            await answer;
            HalfRefusingCluster.Hang = null;
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i * i), second.Values);
        Assert.Contains($"left out: {fixture.SilentSilo} ({HalfRefusingCluster.ShapeRefusal})", second.Report.Plan, StringComparison.Ordinal);
        Assert.DoesNotContain("not answering", second.Report.Plan, StringComparison.Ordinal);
        Assert.Null(engine.NotAnsweringSince(fixture.SilentSilo));
    }
}
