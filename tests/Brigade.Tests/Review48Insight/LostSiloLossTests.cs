using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review48Insight;

/// <summary>
/// Review 48: a cluster run that lost a silo mid-run (its batches in flight re-run on the others) was explained as an
/// imbalance: "the last batch ran ...; the other workers sat idle", which blames the items. The losses now name the lost
/// silo, what its slots sat out, and what the re-run batches cost, from what the report carries: the silos lost (recorded by
/// Brigade.Orleans' ClusterRun, <see cref="RunReport.LostSilos"/>; the plan says "lost during the run") and the timeline.
/// </summary>
public sealed class LostSiloLossTests
{
    private const string A = "10.0.0.1:11111";
    private const string B = "10.0.0.2:11111";
    private const string C = "10.0.0.3:11111";

    // Three silos of one slot each, batches of 4 items of 100 ms; C delivers until 1.0 s, its next batch (taken at 1.0 s)
    // is lost with it, and A runs that batch again at 2.0 s (after batches with higher indices ended). The run ends at 4.0 s.
    private static RunReport ClusterRunThatLostASilo(string? lost = C) => ClusterRun(
        "3 silos (10.0.0.1:11111 ×1, 10.0.0.2:11111 ×1, 10.0.0.3:11111 ×1), 3 worker slots" +
            (lost is null ? "" : $"; lost during the run: {lost} (it left the cluster), its batches ran on the others"),
        // What ClusterRun records on the job, and the losses read (review 49: they parsed the plan).
        lost is null ? [] : [new LostSilo(lost, "it left the cluster")]);

    /// <summary>The run above's report with the given plan text and lost silos recorded (review 49's tests give them apart).</summary>
    internal static RunReport ClusterRun(string plan, IReadOnlyList<LostSilo> lostSilos)
    {
        var timeline = new List<TimelineEvent>();
        var next = 0L;
        long? lostBatch = null;
        for (var step = 0; step < 40; step++)
        {
            var at = Ms(step * 100);
            foreach (var (id, _) in new[] { (0, A), (1, B), (2, C) })
            {
                if (id == 2 && step >= 10)
                {
                    if (step == 10)
                    {
                        lostBatch = next;
                        next += 4;
                    }

                    continue;
                }

                var first = next;
                if (id == 0 && step == 20)
                {
                    first = lostBatch!.Value;
                }
                else
                {
                    next += 4;
                }

                timeline.Add(new TimelineEvent(id, first, 4, 0, at, Ms(100), Ms(90)));
            }
        }

        var workers = new[] { (0, A), (1, B), (2, C) }.Select(w =>
        {
            var mine = timeline.Where(e => e.WorkerId == w.Item1).ToList();
            var busy = TimeSpan.FromTicks(mine.Sum(static e => e.Duration.Ticks));
            return new WorkerReport(w.Item1, $"silo {w.Item2} slot 0", w.Item2, mine.Count, mine.Count * 4L, 0, busy, busy * 0.9)
            {
                Timing = new WorkerTiming(mine[0].Start, mine[^1].Start, mine[^1].End, mine[^1].FirstIndex, 4, null, TimeSpan.Zero),
            };
        }).ToList();

        var items = timeline.Sum(static e => (long)e.Count);
        var busyAll = TimeSpan.FromTicks(workers.Sum(static w => w.BusyTime.Ticks));
        return new RunReport
        {
            Engine = "cluster",
            Plan = plan,
            LostSilos = lostSilos,
            DegreeOfParallelism = 3,
            Items = items,
            Succeeded = items,
            WallTime = Ms(4000),
            BusyTime = busyAll,
            WorkerCpuTime = busyAll * 0.9,
            ProcessCpuTime = Ms(200),
            Batches = timeline.Count,
            Workers = workers,
            Timeline = timeline,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void ASiloLostMidRun_IsNamed_WithWhatItsSlotsSatOutAndTheReRunBatches()
    {
        var losses = ClusterRunThatLostASilo().Losses;
        var imbalance = losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        Assert.Equal(Ms(3000), imbalance.Time);
        Assert.Contains($"silo {C} (it left the cluster) was lost during the run", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains("ran no batch after 1.00 s and sat out 3.00 s", imbalance.Description, StringComparison.Ordinal);
        Assert.Contains("4 items (1 batch) in flight there ran again on the others, 100 ms of their time", imbalance.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("sat idle", imbalance.Description, StringComparison.Ordinal);

        // The advice is about the lost silo, not the items' size.
        var advice = Assert.Single(losses.Advice, a => a.Contains("lost during the run", StringComparison.Ordinal));
        Assert.Contains(C, advice, StringComparison.Ordinal);
        Assert.DoesNotContain(losses.Advice, a => a.Contains("split large items", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("110.0.0.3:11111")]
    public void WithoutALostSiloOfItsOwn_TheSameShapeIsStillAStraggler(string? lost)
    {
        // The plan names no lost silo, or one none of the run's workers ran on (whose name only ends in C's): the description
        // is the straggler's.
        var imbalance = ClusterRunThatLostASilo(lost).Losses.Causes.Single(c => c.Cause == LossCause.Imbalance);

        Assert.Contains("sat idle", imbalance.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("lost", imbalance.Description, StringComparison.Ordinal);
    }
}
