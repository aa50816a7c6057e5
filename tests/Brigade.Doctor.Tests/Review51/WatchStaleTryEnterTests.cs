using Brigade.Diagnostics;
using Brigade.Doctor.Analysis;
using Brigade.Doctor.Live;

namespace Brigade.Doctor.Tests;

/// <summary>
/// Review 51: a <c>System.Threading.Lock.TryEnter</c> that times out raises no <c>ContentionStop</c> (.NET 10), so its
/// wait stayed recorded. A thread that gave up and kept a lock another thread then waited on made a cycle "seen live"
/// out of nothing: a <c>Dispose</c> that stopped waiting for a diagnosis published it as <c>BRG1001</c>. A dump that
/// shows the thread waiting on no lock now makes the watch forget that wait. No dump here (a stand-in diagnosis): one
/// watch per process, same class as the other watch tests.
/// </summary>
public sealed partial class PlainLockWatchTests
{
    [Fact]
    public void LockTryEnter_ThatTimedOut_ShownOverByADump_IsNotACycleSeenLive_WhenDisposeCutsADiagnosisShort()
    {
        var diagnostics = new PitfallDiagnostics();
        var l = new Lock();
        var m = new object();
        using var xHoldsM = new ManualResetEventSlim();
        using var yHoldsL = new ManualResetEventSlim();
        using var xGaveUp = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var firstDone = new ManualResetEventSlim();
        using var inSecond = new ManualResetEventSlim();
        var ids = new (int Managed, long Os)[2];

        // Created before the watch's: once this one has an event, the watch's has it too.
        using var events = new ContentionListener();
        var calls = 0;
        var gotIn = true;
        var watch = PlainLockWatch.Start(
            new PlainLockWatchOptions { Threshold = TimeSpan.FromMilliseconds(100), WarmUp = false, Diagnostics = diagnostics, DisposeWait = TimeSpan.FromSeconds(1) },
            _ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    // What a dump shows: x runs (it gave up on l), y waits on m, held by x. No cycle.
                    firstDone.Set();
                    return Shown(ids[0], ids[1]);
                }

                inSecond.Set();
                release.Wait(Deadline);
                throw new DoctorException(DoctorErrorKind.DumpFailed, "test: the slow dump ends here, unwritten");
            });

        var threads = new List<Thread>
        {
            Started("review51-x", 0, () =>
            {
                lock (m)
                {
                    xHoldsM.Set();
                    yHoldsL.Wait(Deadline);
                    gotIn = l.TryEnter(50);
                    xGaveUp.Set();
                    release.Wait(Deadline);
                }
            }),
            Started("review51-y", 1, () =>
            {
                lock (l)
                {
                    yHoldsL.Set();
                    xGaveUp.Wait(Deadline);
                    lock (m)
                    {
                    }
                }
            }),
        };
        try
        {
            var seen = new List<ContentionWait>();
            Assert.True(SpinWait.SpinUntil(() => { events.Snapshot(seen); return PlainLockWatch.LiveCycles(seen).Count == 1; }, Deadline), "the contention events never showed x's ended wait and y's wait as a cycle");
            Assert.False(gotIn);
            Assert.True(firstDone.Wait(Deadline), "the watch never diagnosed");

            // A third thread waits long on m: a new diagnosis, which Dispose cuts short.
            threads.Add(Started("review51-z", -1, () => { lock (m) { } }));
            Assert.True(inSecond.Wait(Deadline), "the watch never diagnosed again");
            watch.Dispose();

            // The runtime still shows x's wait (no event ended it); the watch no longer does.
            events.Snapshot(seen);
            Assert.Contains(seen, w => w.Thread == ids[0].Os);
            Assert.Empty(diagnostics.Reports);
        }
        finally
        {
            release.Set();
            watch.Dispose();

            // The watch's thread disposes its own listener when its loop ends, which a cut-short Dispose does not wait
            // for; `events` is disposed when this method returns. Two EventListeners disposed at once can deadlock inside
            // .NET (dotnet/runtime#96219: EventListenersLock against the event pipe dispatcher's lock; suite53 saw this
            // test host hang so): the watch's thread ends first.
            SpinWait.SpinUntil(() => !watch.IsRunningForTests, Deadline);
            foreach (var thread in threads)
            {
                Assert.True(thread.Join(Deadline));
            }
        }

        Thread Started(string name, int index, Action body)
        {
            var thread = new Thread(() =>
            {
                if (index >= 0)
                {
                    var stat = File.ReadAllText("/proc/thread-self/stat");
                    ids[index] = (Environment.CurrentManagedThreadId, long.Parse(stat.AsSpan(0, stat.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture));
                }

                body();
            })
            { IsBackground = true, Name = name };
            thread.Start();
            if (index == 0)
            {
                Assert.True(xHoldsM.Wait(Deadline));
            }

            return thread;
        }
    }

    private static Diagnosis Shown((int Managed, long Os) x, (int Managed, long Os) y)
    {
        var site = new DiagnosedFrame("Test.Work", "Test.cs", 1, isFramework: false);
        var running = new DiagnosedThread(x.Managed, (uint)x.Os, "review51-x", isThreadPoolWorker: false, isIdle: false, wait: null, [site]);
        var waiting = new DiagnosedThread(y.Managed, (uint)y.Os, "review51-y", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Monitor, "Monitor.Enter", target: null, [x.Managed], task: null, detail: null, site), [site]);
        return new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = [running, waiting],
            Deadlocks = [],
            SyncOverAsync = [],
            BlockedWithoutOwner = [],
            Reports = [],
        });
    }
}
