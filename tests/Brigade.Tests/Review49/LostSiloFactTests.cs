using Brigade.Reporting;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review49;

/// <summary>
/// Review 49: a cluster run that lost a silo and finished on the others said so in its plan's text (Brigade.Orleans'
/// ClusterRun), and its losses found the silo by parsing that text (review 48): a change of wording in one place would
/// have silently broken the other. The lost silos are now data: recorded on the job, carried to the report
/// (<see cref="RunReport.LostSilos"/>); the plan's text (<see cref="LostSilo.PlanText"/>) and the losses both read that.
/// In-process: the report is built by hand, or by an engine of the test's own (no cluster).
/// </summary>
public sealed class LostSiloFactTests
{
    private const string A = "10.0.0.1:11111";
    private const string B = "10.0.0.2:11111";
    private const string C = "10.0.0.3:11111";
    private const string Reason = "it left the cluster";

    // Three silos of one slot each, batches of 4 items of 100 ms; C delivers until 1.0 s, its next batch (taken at 1.0 s)
    // is lost with it, and A runs that batch again at 2.0 s. The run ends at 4.0 s: review 48's run, its plan and record given.
    private static RunReport ClusterRun(string plan, IReadOnlyList<LostSilo> lost) => Review48Insight.LostSiloLossTests.ClusterRun(plan, lost);

    [Fact]
    public void TheLosses_NameALostSilo_FromTheReportsRecord_WhateverThePlanSays()
    {
        // A plan worded otherwise (or that says nothing of it): the silo is still found.
        var losses = ClusterRun("3 silos, 3 worker slots; C went away mid-run", [new LostSilo(C, Reason)]).Losses;
        var imbalance = losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        // Before: "the last batch ran ...; the other workers sat idle" (the parser found no marker in the plan).
        Assert.Contains($"silo {C} ({Reason}) was lost during the run", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains("ran no batch after 1.00 s and sat out 3.00 s", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains("4 items (1 batch) in flight there ran again on the others", imbalance.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("sat idle", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains(losses.Advice, a => a.Contains($"silo {C} lost during the run", StringComparison.Ordinal));
    }

    [Fact]
    public void APlanThatReadsLikeALoss_WithoutTheRecord_IsNotParsedForOne()
    {
        // The text is for people: a plan that happens to hold the words, with no silo recorded, is a straggler's run.
        var plan = "3 silos, 3 worker slots" + LostSilo.PlanText([new LostSilo(C, Reason)]);
        var imbalance = ClusterRun(plan, []).Losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        // Before: the parser found C in the plan and named it lost.
        Assert.Contains("sat idle", imbalance.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("lost", imbalance.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePlansText_ReadsAsBefore()
    {
        // What users see (Brigade.Orleans.Tests' Review47 asserts the cluster's plan holds "lost during the run: NAME (REASON)").
        Assert.Equal("", LostSilo.PlanText([]));
        Assert.Equal($"; lost during the run: {C} ({Reason}), its batches ran on the others", LostSilo.PlanText([new LostSilo(C, Reason)]));
        Assert.Equal(
            $"; lost during the run: {B} (it answered nothing for 10 s); {C} ({Reason}), their batches ran on the others",
            LostSilo.PlanText([new LostSilo(B, "it answered nothing for 10 s"), new LostSilo(C, Reason)]));
    }

    [Fact(Timeout = 60_000)]
    public async Task WhatTheEngineRecordsOnTheJob_ReachesTheReportAndItsLosses()
    {
        // An engine of two "silos" that records the first as lost, as ClusterRun does. Item 0 (A's batch) and item 4
        // (B's first batch) each wait until the other has started, so the two batches overlap: two worker slots, A's on
        // its own. (Before ci159, only item 0 waited: at load A's thread could start after B had run every item, the
        // two workers' spans did not overlap, the losses put them in one slot, and there was no imbalance to name.)
        using var aRunning = new ManualResetEventSlim();
        using var bRunning = new ManualResetEventSlim();
        var result = await Runner.MapAsync(Enumerable.Range(0, 20), i =>
        {
            if (i == 0)
            {
                aRunning.Set();
                Assert.True(bRunning.Wait(TimeSpan.FromSeconds(30)), "worker B never ran item 4");
            }
            else if (i == 4)
            {
                bRunning.Set();
                Assert.True(aRunning.Wait(TimeSpan.FromSeconds(30)), "worker A never ran item 0");
            }

            return i;
        }, new RunOptions { Engine = new LosingEngine() }).Bounded();

        Assert.Equal(Enumerable.Range(0, 20), result.Values);
        Assert.Equal(new LostSilo(A, Reason), Assert.Single(result.Report.LostSilos));
        Assert.Equal("two silos", result.Report.Plan);
        var imbalance = result.Report.Losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        // Before: the report had no record, and the plan says nothing of it: "sat idle", the straggler's words.
        Assert.Contains($"silo {A} ({Reason}) was lost during the run", imbalance.Description, StringComparison.Ordinal);
    }

    /// <summary>Worker A (silo <see cref="A"/>) runs the first batch of 4 on a thread of its own, worker B (silo
    /// <see cref="B"/>) the rest on another; A's silo is recorded on the job as lost.</summary>
    private sealed class LosingEngine : Engine
    {
        public override string Name => "losing";

        public override int GetDefaultDegreeOfParallelism() => 2;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            job.Plan = "two silos";
            var a = job.CreateWorker(TimeSpan.FromMilliseconds(1), "silo A");
            a.Location = A;
            var b = job.CreateWorker(TimeSpan.FromMilliseconds(1), "silo B");
            b.Location = B;
            var first = job.TakeBatch(a, 4);
            var runA = Task.Factory.StartNew(() => job.ExecuteBatch(a, first), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var runB = Task.Factory.StartNew(
                () =>
                {
                    for (var batch = job.TakeBatch(b, 4); !batch.IsEmpty; batch = job.TakeBatch(b, 4))
                    {
                        job.ExecuteBatch(b, batch);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            await Task.WhenAll(runA, runB).ConfigureAwait(false);
            job.LostSilos = [new LostSilo(A, Reason)];
        }
    }
}
