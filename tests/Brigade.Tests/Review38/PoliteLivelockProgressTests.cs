using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Infrastructure;
using Brigade.Tests.Synchronization;

namespace Brigade.Tests.Review38;

/// <summary>
/// Review 38: the polite-livelock check counted failed try-acquisitions in a row and ignored progress. Two workers that
/// each hold their own queue's lock while they work and try (TimeSpan.Zero) to take the other's to rebalance — an
/// opportunistic try with a fallback, not a retry loop — were reported as a livelock ("busy, no progress") within a
/// second while both marked progress hundreds of thousands of times. A streak now ends when its thread marks progress.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PoliteLivelockProgressTests
{
    private readonly PitfallDiagnostics _diagnostics = new();

    [Fact]
    public async Task WorkersThatMarkProgressBetweenFailedTries_AreNotALivelock()
    {
        await RunPair(markProgress: true);
        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task WorkersThatOnlyRetry_AreStillALivelock()
    {
        await RunPair(markProgress: false);
        var report = Assert.IsType<ProgressReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal(PitfallKind.Livelock, report.Kind);
    }

    private async Task RunPair(bool markProgress)
    {
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromMinutes(10), Diagnostics = _diagnostics });
        var queues = new[] { NewLock("queue 0"), NewLock("queue 1") };
        using var barrier = new Barrier(2);
        var workers = Enumerable.Range(0, 2).Select(i => TestThreads.Run($"worker-{i}", () =>
        {
            using var me = watchdog.Watch($"worker {i}");
            using (queues[i].Acquire())
            {
                barrier.SignalAndWait(TestThreads.Bound);
                for (var k = 0; k < 150; k++)
                {
                    if (markProgress)
                    {
                        me.Mark("processed an item");
                    }

                    using var other = queues[1 - i].TryAcquire(TimeSpan.Zero);
                    Assert.False(other.IsAcquired);
                }

                barrier.SignalAndWait(TestThreads.Bound);
            }
        })).ToArray();
        await TestTimeouts.Bounded(Task.WhenAll(workers));
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
