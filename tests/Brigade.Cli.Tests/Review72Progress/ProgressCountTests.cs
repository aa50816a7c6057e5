using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review72Progress;

/// <summary>
/// Review 72: the progress line of a 20-line file said "16 done, 0 failed, 5 running": an item delivered after the
/// engine's last progress tick was still counted running, done plus running passed the file's count, and the line dropped
/// the total, the percent and the ETA as if the file had grown. Its ETA also read 0:00 with a second's items left.
/// </summary>
public sealed class ProgressCountTests
{
    [Fact]
    public void ResultDeliveredAfterTheEngineTick_IsNoLongerCountedRunning()
    {
        // The engine's tick: 15 finished, 5 running (of 20). Then item 16 finishes and is delivered before the next tick.
        var counters = new RunCounters { Total = 20 };
        counters.SetRunning(5, completed: 15);
        for (var i = 0; i < 16; i++)
        {
            counters.OnEngineResult();
            counters.OnDelivered(failed: false);
        }

        // Failed before the fix: "16 done, 0 failed, 5 running, ..." and "16 done | 5 running | ...".
        Assert.StartsWith("16/20 done (80.0%), 0 failed, 4 running", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.Contains("ETA", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.Contains("16/20 80% | 4 running", ProgressView.StatusText(counters, 120), StringComparison.Ordinal);
    }

    [Fact]
    public void AnyInterleavingOfTicksAndDeliveries_KeepsTheFilesTotal()
    {
        // A simulated run of 20 items on 6 workers, 2 of them failing before running (delivered without the engine):
        // items start, finish, are delivered (an ordered run lets them wait) and ticks come in every order a seeded random
        // picks. Before the fix, a delivery between two ticks showed done + running over 20 and lost the total.
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var counters = new RunCounters { Total = 20 };
            long taken = 0, finished = 0, delivered = 0, other = 2;
            while (delivered < 18 || other > 0)
            {
                switch (random.Next(5))
                {
                    case 0 when taken < 18 && taken - finished < 6:
                        taken++;
                        break;
                    case 1 when finished < taken:
                        finished++;
                        break;
                    case 2 when delivered < finished:
                        delivered++;
                        counters.OnEngineResult();
                        counters.OnDelivered(failed: false);
                        break;
                    case 3 when other > 0:
                        other--;
                        counters.OnDelivered(failed: true);
                        break;
                    case 4:
                        counters.SetRunning(taken - finished, finished);
                        break;
                }

                var line = ProgressView.Describe(counters);
                Assert.True(line.Contains("/20 done", StringComparison.Ordinal), $"seed {seed}: {line}");
                Assert.True(counters.Running <= taken - delivered, $"seed {seed}: {counters.Running} running of {taken} taken, {delivered} delivered");
            }
        }
    }

    [Fact]
    public void EtaUnderASecond_ShowsOneSecondNotZero()
    {
        // 1,000 done at once, 1 left: a rate far over 1,000/s leaves well under a second (even on a stalled machine).
        var counters = new RunCounters { Total = 1_001 };
        for (var i = 0; i < 1_000; i++)
        {
            counters.OnDelivered(failed: false);
        }

        // Failed before the fix: "ETA 0:00" with an item left.
        Assert.EndsWith("ETA 0:01", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.EndsWith("ETA 0:01", ProgressView.StatusText(counters, 200), StringComparison.Ordinal);

        counters.OnDelivered(failed: false);
        Assert.EndsWith("ETA 0:00", ProgressView.Describe(counters), StringComparison.Ordinal);
    }
}
