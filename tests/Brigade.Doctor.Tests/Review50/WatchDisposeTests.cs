using Brigade.Diagnostics;
using Brigade.Doctor.Capture;
using Brigade.Doctor.Live;

namespace Brigade.Doctor.Tests;

/// <summary>
/// Review 50: <c>Dispose</c> from another thread during a diagnosis. It waited up to 30 s, then left the diagnosis to
/// end on its own, which published nothing: a deadlock the watch had seen form was lost without a word (at load 30-85 a
/// dump took 24 s). And within the wait, the diagnosis it waited for published nothing either (every <c>Dispose</c> set
/// the flag that silences a handler's). Same class as the other watch tests: one watch per process.
/// </summary>
public sealed partial class PlainLockWatchTests
{
    [Fact]
    public void Dispose_FromAnotherThread_WhileTheDumpIsSlow_PublishesTheCycleSeenLive_SayingTheDumpWasCutShort()
    {
        // The real capture path, made slow by the capture's test seam: it blocks just before the runtime is asked for the
        // dump, and then fails (no dump is written: the test costs no dump's CPU).
        using var directory = new TempDirectory();
        using var inDump = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var diagnostics = new PitfallDiagnostics();

        // Created before the watch's: the runtime hands each event to every listener in one pass, so once this one saw
        // both waits the watch's has them too (and Dispose looks a whole DisposeWait later).
        using var events = new ContentionListener();
        using var abba = new Abba();
        PlainLockWatch watch;
        DumpCapture.BeforeDumpForTests.Value = () =>
        {
            inDump.Set();
            release.Wait(Deadline);
            throw new DoctorException(DoctorErrorKind.DumpFailed, "test: the slow dump ends here, unwritten");
        };
        try
        {
            // The watch's thread inherits the seam (its ExecutionContext is captured when it starts).
            watch = PlainLockWatch.Start(new PlainLockWatchOptions
            {
                Threshold = TimeSpan.FromMilliseconds(100),
                WarmUp = false,
                Diagnostics = diagnostics,
                DumpDirectory = directory.Path,
                DisposeWait = TimeSpan.FromSeconds(1),
            });
        }
        finally
        {
            DumpCapture.BeforeDumpForTests.Value = null;
        }

        try
        {
            abba.Form();
            var seen = new List<ContentionWait>();
            Assert.True(SpinWait.SpinUntil(() => { events.Snapshot(seen); return PlainLockWatch.LiveCycles(seen).Count >= 1; }, Deadline), "the contention events never showed the cycle");
            Assert.True(inDump.Wait(Deadline), "the watch never started a dump");

            watch.Dispose();

            var report = Assert.Single(diagnostics.Reports);
            Assert.Equal("BRG1001", report.Code);
            Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor), seen live", report.Message, StringComparison.Ordinal);
            Assert.Contains("thread 'review50-abba-1'", report.Message, StringComparison.Ordinal);
            Assert.Contains("thread 'review50-abba-2'", report.Message, StringComparison.Ordinal);
            Assert.Contains("the dump was cut short", report.Message, StringComparison.Ordinal);
            Assert.Equal(abba.OsIds.Order(), ((DoctorReport)report).Threads.Select(t => (long)t.OSThreadId).Order());
        }
        finally
        {
            release.Set();
            watch.Dispose();
        }

        // The diagnosis cut short ends (here it fails) and publishes nothing more.
        Assert.True(SpinWait.SpinUntil(() => !watch.IsRunningForTests, Deadline));
        Assert.Single(diagnostics.Reports);
    }

    [Fact]
    public void Dispose_FromAnotherThread_WaitsForTheDiagnosisUnderWay_AndPublishesItsFindings()
    {
        using var contention = new TwoWaits();
        using var diagnosing = new ManualResetEventSlim();
        var diagnostics = new PitfallDiagnostics();
        var armed = 0;
        var disposeBegan = false;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
        {
            if (Volatile.Read(ref armed) == 0 || !contention.WaitBegun())
            {
                return Empty();
            }

            // The dump showed the cycle; Dispose is called (from the test's thread) before the analysis ends.
            diagnosing.Set();
            disposeBegan = SpinWait.SpinUntil(() => PlainLockWatch.Current is null, Deadline);
            return Cycle(possible: false, contention.Waiter1, contention.Waiter2);
        });

        Volatile.Write(ref armed, 1);
        contention.Begin();
        Assert.True(diagnosing.Wait(Deadline), "the watch never diagnosed the waits");

        watch.Dispose();

        Assert.True(disposeBegan);
        var report = Assert.Single(diagnostics.Reports);
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor)", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cut short", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveCycles_FollowEachWaitToItsHolder()
    {
        ContentionWait Wait(long thread, long owner) => new(thread, 100 + thread, 1000 + owner, owner);

        // 11 -> 12 -> 13 -> 11, and 14 waits behind 11 (stuck, not in the cycle); 20 waits on a holder that does not wait.
        var cycles = PlainLockWatch.LiveCycles([Wait(14, 11), Wait(12, 13), Wait(13, 11), Wait(11, 12), Wait(20, 21), Wait(30, 0)]);

        var cycle = Assert.Single(cycles);
        Assert.Equal([11L, 12L, 13L], cycle.Select(w => w.Thread));
        Assert.Empty(PlainLockWatch.LiveCycles([Wait(1, 2), Wait(2, 3)]));
    }

    [Fact]
    public void LiveDeadlockReport_NamesEachWaitItsLockAndHolder_AndWhatWasCutShort()
    {
        var now = DateTime.UtcNow.Ticks;
        ContentionWait[] cycle = [new(11, now - TimeSpan.TicksPerSecond * 35, 0xab, 12), new(12, now - TimeSpan.TicksPerSecond * 34, 0xcd, 11)];
        var cut = PlainLockWatch.CutShortLine(PlainLockWatch.DiagnosisStage.Dump, TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(30));

        var report = PlainLockWatch.LiveDeadlockReport(cycle, now, cut, t => t == 11 ? "transfer-1" : null);

        Assert.Equal(PitfallKind.Deadlock, report.Kind);
        Assert.Contains("thread 'transfer-1' (OS id 11) has waited 35.0 s to enter lock 0xab, held by thread OS id 12", report.Message, StringComparison.Ordinal);
        Assert.Contains("thread OS id 12 has waited 34.0 s to enter lock 0xcd, held by thread 'transfer-1' (OS id 11)", report.Message, StringComparison.Ordinal);
        Assert.Contains("31.0 s into the dump", report.Message, StringComparison.Ordinal);
        Assert.Contains("stopped waiting after 30.0 s: the dump was cut short", report.Message, StringComparison.Ordinal);
        Assert.Contains("the analysis was cut short", PlainLockWatch.CutShortLine(PlainLockWatch.DiagnosisStage.Analysis, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
    }

    /// <summary>Two named threads that take two locks in opposite orders and deadlock for real; <see cref="Dispose"/>
    /// interrupts them (a thread blocked entering a lock is interruptible), so the test leaves no contention behind.</summary>
    private sealed class Abba : IDisposable
    {
        private readonly object _first = new();
        private readonly object _second = new();
        private readonly List<Thread> _threads = [];
        private readonly long[] _osIds = new long[2];

        public IReadOnlyList<long> OsIds => _osIds;

        public void Form()
        {
            using var bothHold = new Barrier(2);
            var holding = new CountdownEvent(2);
            Start(0, "review50-abba-1", _first, _second, bothHold, holding);
            Start(1, "review50-abba-2", _second, _first, bothHold, holding);
            Assert.True(holding.Wait(Deadline));
            holding.Dispose();
        }

        private void Start(int index, string name, object mine, object theirs, Barrier bothHold, CountdownEvent holding)
        {
            var thread = new Thread(() =>
            {
                var stat = File.ReadAllText("/proc/thread-self/stat");
                _osIds[index] = long.Parse(stat.AsSpan(0, stat.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    lock (mine)
                    {
                        bothHold.SignalAndWait();
                        holding.Signal();
                        lock (theirs)
                        {
                        }
                    }
                }
                catch (ThreadInterruptedException)
                {
                    // Dispose ends the deadlock.
                }
            })
            { IsBackground = true, Name = name };
            _threads.Add(thread);
            thread.Start();
        }

        public void Dispose()
        {
            foreach (var thread in _threads)
            {
                thread.Interrupt();
            }

            foreach (var thread in _threads)
            {
                Assert.True(thread.Join(Deadline), $"{thread.Name} did not end when interrupted");
            }
        }
    }
}
