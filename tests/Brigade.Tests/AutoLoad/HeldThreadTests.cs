using System.Runtime.InteropServices;
using System.Text;
using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Auto;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.AutoLoad;

/// <summary>
/// A running batch whose thread is held by another thread (a page fault behind the kernel's memory map, the GC's
/// allocation lock backing off) is not read as waiting: under heavy load (CI, load ~20 on 2 cores) two such looks in a row
/// re-planned allocation-heavy CPU work as "blocking I/O, Threads ×23". A thread blocked in a wait of its own still is.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class HeldThreadTests
{
    [Fact]
    public void ARunningBatch_HeldInAPageFault_IsNotReadAsWaiting()
    {
        // The look the CI run saw: a second of wall time since the batch began, almost no CPU, no run-queue wait of its own,
        // the thread blocked outside any system call.
        var (running, stalled) = LookAtABatch(ThreadWait.Held);

        Assert.Equal(1, stalled);
        Assert.Null(running);
        Assert.False(BatchInspector.AllClearlyWaiting(running, stalled), "a held thread's look counted as the item's wait");
    }

    [Fact]
    public void ARunningBatch_BlockedInAWaitOfItsOwn_IsStillReadAsWaiting()
    {
        var (running, stalled) = LookAtABatch(ThreadWait.Blocked);

        Assert.Equal(1, stalled);
        Assert.NotNull(running);
        Assert.True(BatchInspector.AllClearlyWaiting(running, stalled), $"a sleeping item's look did not read as waiting: {running}");
        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(running!.Value));
    }

    [Theory]
    [InlineData("-1 0x7ffd3c1e0a58 0x7f0e2c1b4f12\n", nameof(ThreadWait.Held))]        // a page fault
    [InlineData("28 0x7f0e00000000 0x200000 0x4 0x0 0x0 0x0 0x7ffd 0x7f0e\n", nameof(ThreadWait.Held))] // madvise
    [InlineData("10 0x7f0e00000000 0x10000 0x3 0x0 0x0 0x0 0x7ffd 0x7f0e\n", nameof(ThreadWait.Held))]  // mprotect
    [InlineData("230 0x0 0x0 0x7ffd 0x7ffd 0x0 0x0 0x7ffd 0x7f0e\n", nameof(ThreadWait.Held))]          // clock_nanosleep
    [InlineData("202 0x7f0e 0x189 0x0 0x0 0x0 0xffffffff 0x7ffd 0x7f0e\n", nameof(ThreadWait.Blocked))] // futex: Thread.Sleep, locks
    [InlineData("0 0x3 0x7f0e 0x10000 0x0 0x0 0x0 0x7ffd 0x7f0e\n", nameof(ThreadWait.Blocked))]        // read
    [InlineData("running\n", nameof(ThreadWait.Runnable))]
    [InlineData("", nameof(ThreadWait.Blocked))]
    public void TheSystemCall_TellsAHeldThreadFromAWaitingOne(string syscall, string expected)
    {
        Assert.Equal(Enum.Parse<ThreadWait>(expected), ThreadSchedStat.WaitIn(Encoding.ASCII.GetBytes(syscall), Architecture.X64));
    }

    [Fact]
    public void OnArm64_TheSameCallsAreHeld()
    {
        Assert.Equal(ThreadWait.Held, ThreadSchedStat.WaitIn("233 0x0\n"u8, Architecture.Arm64)); // madvise
        Assert.Equal(ThreadWait.Held, ThreadSchedStat.WaitIn("115 0x0\n"u8, Architecture.Arm64)); // clock_nanosleep
        Assert.Equal(ThreadWait.Blocked, ThreadSchedStat.WaitIn("98 0x0\n"u8, Architecture.Arm64)); // futex
        Assert.Equal(ThreadWait.Blocked, ThreadSchedStat.WaitIn("28 0x0\n"u8, Architecture.Arm64)); // x64's madvise number
    }

    [Fact]
    public void AThreadInThreadSleep_ReadsBlockedNotHeld()
    {
        // Managed code sleeps on a futex, not in nanosleep: an item that sleeps is never taken for a held thread.
        if (!ThreadSchedStat.IsSupported)
        {
            return;
        }

        var tid = 0;
        using var release = new ManualResetEventSlim();
        var sleeper = new Thread(() =>
        {
            Volatile.Write(ref tid, ThreadSchedStat.CurrentThreadId());
            while (!release.IsSet)
            {
                Thread.Sleep(50);
            }
        }) { IsBackground = true };
        sleeper.Start();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref tid) > 0, TimeSpan.FromSeconds(30)));
            using var reader = ThreadSchedStat.Open(tid);
            Assert.NotNull(reader);
            var seen = ThreadWait.Unknown;
            Assert.True(SpinWait.SpinUntil(() => (seen = reader!.Wait()) is not (ThreadWait.Runnable or ThreadWait.Unknown), TimeSpan.FromSeconds(30)), $"never seen asleep ({seen})");
            Assert.Equal(ThreadWait.Blocked, seen);
        }
        finally
        {
            release.Set();
            sleeper.Join();
        }
    }

    // A worker's second batch (its run-queue wait read at the start), begun on this thread, looked at a second later by the
    // run's clock: the thread's real CPU and run-queue readings (microseconds since the start, so cpu/wall ~0), and the
    // thread's state as given. A collection between the batch's start and the look makes the look skip it: tried again.
    private static (WorkSample? Running, int Stalled) LookAtABatch(ThreadWait state)
    {
        var time = new FakeTimeProvider();
        for (var attempt = 0; ; attempt++)
        {
            using var worker = new AutoWorker(0, LoopKind.Task, time, asyncWork: false) { Measure = true };
            worker.OnBatchStart();
            worker.OnBatchEnd();
            var collections = GC.CollectionCount(0);
            worker.OnBatchStart();
            time.Advance(TimeSpan.FromSeconds(1));
            var inspector = new BatchInspector(time, asyncWork: false, reportsExternalCpu: false, waitOf: _ => state);
            try
            {
                var now = time.GetTimestamp();
                var running = inspector.Inspect([worker], now, now, out _, out var stalled);
                if (GC.CollectionCount(0) == collections || attempt == 9)
                {
                    return (running, stalled);
                }
            }
            finally
            {
                worker.OnBatchEnd();
                inspector.DisposeReaders();
            }
        }
    }
}
