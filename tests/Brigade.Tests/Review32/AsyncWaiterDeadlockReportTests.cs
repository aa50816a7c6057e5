using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review32;

/// <summary>
/// Review 32: an awaited acquisition that inverts a known order published its BRG1002 ("this run did not hang") as soon
/// as it was queued; when a later blocking waiter closed the cycle, the deadlock was reported twice, once as a hang that
/// did not happen. Its reports now wait on the wait, as a blocking wait's do: published when it ends or after 1 s.
/// </summary>
public sealed class AsyncWaiterDeadlockReportTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public AsyncWaiterDeadlockReportTests() => _diagnostics = new PitfallDiagnostics(_time) { LockOrderMode = LockOrderMode.Report };

    [Fact]
    public async Task AwaitedWaiterInADeadlock_IsReportedOnlyAsTheDeadlock()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("warm", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        using var t1HoldsA = new ManualResetEventSlim();
        using var t1Refused = new ManualResetEventSlim();
        using var t2HoldsB = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                t2HoldsB.Wait();
                TestThreads.Until(() => a.WaitingCount == 1, "t2 waits for A");
                Assert.Throws<DeadlockException>(() => b.Acquire());
                t1Refused.Set();
            }
        });

        async Task T2()
        {
            await Task.Yield();
            t1HoldsA.Wait();
            using (await b.AcquireAsync())
            {
                t2HoldsB.Set();
                using (await a.AcquireAsync())
                {
                }
            }
        }

        var t2 = Task.Run(T2);
        await Task.WhenAll(t1, t2).Bounded();

        Assert.Collection(_diagnostics.Reports, r => Assert.IsType<DeadlockReport>(r));
    }

    [Fact]
    public async Task AwaitedInverterStillWaiting_PastTheGrace_ItsReportIsPublished()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("warm", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        using var release = new ManualResetEventSlim();
        using var t1HoldsA = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                release.Wait();
            }
        });
        t1HoldsA.Wait();

        async Task Inverter()
        {
            await Task.Yield();
            using (await b.AcquireAsync())
            using (await a.AcquireAsync())
            {
            }
        }

        var flow = Task.Run(Inverter);
        TestThreads.Until(() => a.WaitingCount == 1, "the flow waits for A");
        TestThreads.Until(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return _diagnostics.Reports.Count == 1;
            },
            "the awaited inverter's report is published");
        Assert.Equal(1, a.WaitingCount);

        release.Set();
        await Task.WhenAll(t1, flow).Bounded();
        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
