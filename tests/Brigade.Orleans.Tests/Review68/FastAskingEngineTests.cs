using System.Diagnostics;
using Brigade.Orleans.Dispatch;
using Xunit.Abstractions;

namespace Brigade.Orleans.Tests.Review68;

/// <summary>
/// Review 68: an engine that asks faster than a slow silo answers. A silo that missed a question gets the short grace
/// (<see cref="SiloProbe.KnownSilentGrace"/>, 2 s) at the next; its late answer clears the mark (review 67), but an engine
/// starting a run every 100 ms asked again before that answer came: every question got 2 s, the silo answering in 3 s
/// stayed out of every run (ci201: SiloLossTests' extra silo "never became active" with one engine polling). And a late
/// answer to question N cleared the mark that question N+1 had set (the silo froze after answering N late). A frozen silo
/// must still get the short grace: review 59, one frozen silo of three held every run 77 s before its first item.
/// </summary>
[Collection("review68-slow-silo")]
public sealed class FastAskingEngineTests(SlowSiloCluster fixture, ITestOutputHelper output)
{
    // Past the short grace, well within the normal one; not a multiple of SiloProbe.AskAgainAfter (3 s).
    private static readonly TimeSpan Slow = SiloProbe.KnownSilentGrace + TimeSpan.FromSeconds(1.5);

    [Fact(Timeout = 30_000)]
    public async Task OneEngine_StartingARunEvery100Ms_TakesASiloThatAnswersIn3s_IntoARun()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1 });
        await MissOneQuestion(engine);

        SlowSiloCluster.Hold = () => Task.Delay(Slow);
        try
        {
            var waited = Stopwatch.StartNew();
            var runs = 0;
            while (true)
            {
                var run = await Runner.MapAsync(Enumerable.Range(0, 20), new Square(), new RunOptions { Engine = engine });
                runs++;
                Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i * i), run.Values);
                if (run.Report.Plan!.StartsWith("2 silos", StringComparison.Ordinal))
                {
                    output.WriteLine($"in run {runs}, after {waited.Elapsed.TotalSeconds:0.0} s: {run.Report.Plan}");
                    break;
                }

                // The bug: never (each question cut at 2 s, before the last one's late answer came).
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"the slow silo was in none of {runs} runs: {run.Report.Plan}");
                await Task.Delay(100);
            }
        }
        finally
        {
            SlowSiloCluster.Hold = null;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ALateAnswerToAQuestion_DoesNotClearTheMarkOfALaterQuestion_ItsOwnAnswerDoes()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, PrepareTimeout = TimeSpan.FromSeconds(20) });
        await MissOneQuestion(engine);

        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SlowSiloCluster.Hold = () => late.Task;
        try
        {
            // Question N: the silo is held; cut at the short grace, still asked.
            Assert.Contains(await engine.DiscoverAllAsync(), s => s.Address == fixture.SlowSilo && s.NotAnswering is not null);

            // Then it freezes: question N+1 is not answered either.
            SlowSiloCluster.Hold = () => frozen.Task;
            Assert.Contains(await engine.DiscoverAllAsync(), s => s.Address == fixture.SlowSilo && s.NotAnswering is not null);
            var since = engine.NotAnsweringSince(fixture.SlowSilo);
            Assert.NotNull(since);

            // N's answer comes now: it says nothing of N+1, asked after it (the bug: it cleared the mark at once).
            late.SetResult();
            var watched = Stopwatch.StartNew();
            while (watched.Elapsed < TimeSpan.FromSeconds(2))
            {
                Assert.Equal(since, engine.NotAnsweringSince(fixture.SlowSilo));
                await Task.Delay(50);
            }

            // N+1's own answer, however late, clears it. A hang check only.
            frozen.SetResult();
            var waited = Stopwatch.StartNew();
            while (engine.NotAnsweringSince(fixture.SlowSilo) is not null)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), "the late answer to the last question never cleared the silo's mark");
                await Task.Delay(50);
            }
        }
        finally
        {
            SlowSiloCluster.Hold = null;
            late.TrySetResult();
            frozen.TrySetResult();
        }
    }

    // A frozen silo whose last question is still pending (asked up to PrepareTimeout) gets the short grace at each run:
    // a pending question is no sign of life.
    [Fact(Timeout = 30_000)]
    public async Task AFrozenSilo_WithItsLastQuestionStillPending_GetsTheShortGraceAtEachRun()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, PrepareTimeout = TimeSpan.FromSeconds(120) });
        await MissOneQuestion(engine);

        var frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SlowSiloCluster.Hold = () => frozen.Task;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var run = await Runner.MapAsync(Enumerable.Range(0, 20), new Square(), new RunOptions { Engine = engine });

                Assert.Equal(Enumerable.Range(0, 20).Select(n => (long)n * n), run.Values);
                Assert.Contains($"left out: {fixture.SlowSilo} (not answering (no answer within ", run.Report.Plan, StringComparison.Ordinal);

                // The short grace (2 s) and the run, not the normal one: the normal grace alone is 10 s.
                Assert.True(clock.Elapsed < SiloProbe.AnsweredGrace, $"run {i} took {clock.Elapsed}");
                output.WriteLine($"run {i}: {clock.Elapsed.TotalSeconds:0.0} s");
            }
        }
        finally
        {
            SlowSiloCluster.Hold = null;
            frozen.TrySetResult();
        }
    }

    // The silo misses one question (its answer fails at once): this engine marks it not answering.
    private async Task MissOneQuestion(ClusterEngine engine)
    {
        SlowSiloCluster.Fail = true;
        try
        {
            Assert.Contains(await engine.DiscoverAllAsync(), s => s.Address == fixture.SlowSilo && s.NotAnswering is not null);
            Assert.NotNull(engine.NotAnsweringSince(fixture.SlowSilo));
        }
        finally
        {
            SlowSiloCluster.Fail = false;
        }
    }
}
