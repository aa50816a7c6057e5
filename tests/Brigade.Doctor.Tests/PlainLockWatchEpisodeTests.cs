using System.Collections.Concurrent;
using Brigade.Diagnostics;
using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests;

/// <summary>
/// The watch's decisions (what to publish, when to dump again) with real contentions in this process and a stand-in for
/// the dump and its analysis: it returns the deadlock the test says a dump would show, at the moment the test chooses.
/// Same class as the child-process tests: one watch per process, so these never run in parallel with them.
/// </summary>
public sealed partial class PlainLockWatchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public void TryEnterCycle_WhoseWaitsEndDuringTheAnalysis_PublishesNothing()
    {
        // Review 29b finding 4: a TryEnter ring that gives up while the dump is analyzed is not a deadlock.
        using var contention = new TwoWaits();
        var diagnostics = new PitfallDiagnostics();
        var analyzedTheCycle = 0;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
        {
            // The dump showed the cycle; while it is analyzed, both waits end (the TryEnters gave up, or got in).
            if (Interlocked.Exchange(ref analyzedTheCycle, 1) != 0 || !contention.WaitBegun())
            {
                return Empty();
            }

            contention.End();
            return Cycle(possible: true, contention.Waiter1, contention.Waiter2);
        });

        contention.Begin();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref analyzedTheCycle) == 1, Deadline));
        Assert.True(SpinWait.SpinUntil(() => watch.DiagnosesTaken >= 1, Deadline));
        Thread.Sleep(200);
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public void Deadlock_WhoseWaitsLast_IsPublishedOnce_AndAgainWhenTheSameThreadsDeadlockAnew()
    {
        // Review 29b finding 1: the same two threads' second deadlock (new waits) was swallowed as a duplicate.
        using var contention = new TwoWaits();
        var diagnostics = new PitfallDiagnostics();
        var armed = 0;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
            Volatile.Read(ref armed) == 0 ? Empty() : contention.WaitBegun() ? Cycle(possible: false, contention.Waiter1, contention.Waiter2) : Empty());

        Volatile.Write(ref armed, 1);
        contention.Begin();
        Assert.True(SpinWait.SpinUntil(() => diagnostics.Reports.Count >= 1, Deadline));

        Volatile.Write(ref armed, 0);
        contention.End();
        Assert.Single(diagnostics.Reports);

        Volatile.Write(ref armed, 1);
        contention.Begin();
        Assert.True(SpinWait.SpinUntil(() => diagnostics.Reports.Count >= 2, Deadline), $"reports: {diagnostics.Reports.Count}, diagnoses: {watch.DiagnosesTaken}");
        Volatile.Write(ref armed, 0);
        contention.End();
        Assert.Equal(2, diagnostics.Reports.Count);
    }

    [Fact]
    public void FailedDiagnosis_IsRetried_WhileTheWaitsLast()
    {
        // Review 29b finding 2: a dump that failed once (directory missing, transient) meant the deadlock was never reported.
        using var contention = new TwoWaits();
        var diagnostics = new PitfallDiagnostics();
        var armed = 0;
        var failed = 0;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
        {
            if (Volatile.Read(ref armed) == 0 || !contention.WaitBegun())
            {
                return Empty();
            }

            if (Interlocked.Exchange(ref failed, 1) == 0)
            {
                throw new DoctorException(DoctorErrorKind.DumpFailed, "the dump directory does not exist (yet)");
            }

            return Cycle(possible: false, contention.Waiter1, contention.Waiter2);
        });

        Volatile.Write(ref armed, 1);
        contention.Begin();
        Assert.True(SpinWait.SpinUntil(() => diagnostics.Reports.Count >= 1, Deadline), $"failed once: {failed}, diagnoses: {watch.DiagnosesTaken}");
        Assert.Equal(1, Volatile.Read(ref failed));
        Volatile.Write(ref armed, 0);
        contention.End();
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public void DeadlockFormedBeforeStart_IsPublishedByTheWarmUp_UnlessItHasATryEnter(bool possible, int expected)
    {
        // Review 29b finding 3: the warm-up's dump showed the deadlock and was thrown away. Its waits started before the
        // watch listened, so no event will ever come for them: the warm-up is the only dump that can see them. A
        // possible cycle (TryEnter) is not published: the watch cannot tell whether its waits still last.
        using var contention = new TwoWaits();
        contention.Begin();
        var diagnostics = new PitfallDiagnostics();
        var calls = 0;
        using var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromMilliseconds(100), Diagnostics = diagnostics }, _ =>
        {
            Interlocked.Increment(ref calls);
            return Cycle(possible, contention.Waiter1, contention.Waiter2);
        });

        Assert.True(SpinWait.SpinUntil(() => watch.IsWarm, Deadline));
        Assert.Equal(expected, diagnostics.Reports.Count);
        contention.End();
        Assert.True(Volatile.Read(ref calls) >= 1);
    }

    [Fact]
    public void SlowHolder_AgainAndAgain_IsDumpedOnce_NotAtEveryContention()
    {
        // Review 29b finding 5: a lock held longer than the threshold every round froze the process with a full dump every
        // round. The same thread waiting on the same lock, analyzed once with nothing found, is not dumped again for
        // MaxBackOff (1 min by default). Other contentions in this test process may cost a few more, rationed by the pauses.
        const int Rounds = 8;
        using var contention = new TwoWaits();
        var diagnostics = new PitfallDiagnostics();
        var calls = 0;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
        {
            Interlocked.Increment(ref calls);
            return Empty();
        });

        for (var round = 0; round < Rounds; round++)
        {
            contention.Begin();
            if (round == 0)
            {
                // The first round lasts until the watch has analyzed it (at load the watch could miss a 350 ms round, and
                // then the later rounds' count below passed without the watch having looked at anything).
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref calls) >= 1, Deadline), "the watch never analyzed the first round");
            }
            else
            {
                Thread.Sleep(350);
            }

            contention.End();
        }

        Assert.InRange(Volatile.Read(ref calls), 1, 3);
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public void ProcessExit_DuringADump_DeletesIt_AndStartsNoOther()
    {
        // Review 29b finding 12: a dump under way when the process exited stayed in /dev/shm for good.
        using var directory = new TempDirectory();
        var dump = Path.Combine(directory.Path, "brigade-doctor-test");
        using var inDump = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Exception? second = null;
        using var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromMilliseconds(100) }, dumpStarted =>
        {
            Directory.CreateDirectory(dump);
            dumpStarted(dump);
            File.WriteAllBytes(Path.Combine(dump, "core.dmp"), new byte[4096]);
            inDump.Set();
            release.Wait(Deadline);
            second = Record.Exception(() => dumpStarted(dump + "-2"));
            return Empty();
        });

        Assert.True(inDump.Wait(Deadline));
        watch.OnProcessExit(null, EventArgs.Empty);
        Assert.False(Directory.Exists(dump));
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => watch.IsWarm, Deadline));
        Assert.IsType<DoctorException>(second);
    }

    [Fact]
    public void Options_RejectANonPositiveBackOff() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PlainLockWatchOptions { MaxBackOff = TimeSpan.Zero });

    private static PlainLockWatchOptions Options(PitfallDiagnostics diagnostics) =>
        new() { Threshold = TimeSpan.FromMilliseconds(100), WarmUp = false, Diagnostics = diagnostics };

    private static Diagnosis Empty() => new(new DiagnosisParts
    {
        RuntimeVersion = "10.0",
        Threads = [],
        Deadlocks = [],
        SyncOverAsync = [],
        BlockedWithoutOwner = [],
        Reports = [],
    });

    /// <summary>What a dump would show: the two waiters waiting on each other in a <c>Monitor.Enter</c> (or a <c>TryEnter</c>).</summary>
    private static Diagnosis Cycle(bool possible, Worker first, Worker second)
    {
        var site = new DiagnosedFrame("Test.Transfer", "Test.cs", 1, isFramework: false);
        DiagnosedThread Thread(Worker worker, Worker holder) => new(worker.ManagedId, (uint)worker.OsId, worker.Name, isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Monitor, possible ? "Monitor.TryEnter" : "Monitor.Enter", target: null, [holder.ManagedId], task: null, detail: null, site), [site]);
        var a = Thread(first, second);
        var b = Thread(second, first);
        var cycle = new DeadlockCycle([new DeadlockLink(a, b), new DeadlockLink(b, a)], []) { IsPossible = possible };
        var report = new DoctorReport(PitfallKind.Deadlock, "Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor)", DateTimeOffset.UtcNow, [a, b]);
        return new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = [a, b],
            Deadlocks = [cycle],
            SyncOverAsync = [],
            BlockedWithoutOwner = [],
            Reports = [report],
        });
    }

    /// <summary>Two real contentions the runtime raises events for: each waiter blocks in <c>Monitor.Enter</c> on a lock
    /// its holder keeps until <see cref="End"/>. The same four threads serve every round.</summary>
    private sealed class TwoWaits : IDisposable
    {
        private readonly object _lock1 = new();
        private readonly object _lock2 = new();
        private readonly Worker _holder1 = new("holder-1");
        private readonly Worker _holder2 = new("holder-2");
        private readonly ManualResetEventSlim _begun = new();
        private Task? _entered1;
        private Task? _entered2;
        private int _waiting;

        public Worker Waiter1 { get; } = new("waiter-1");

        public Worker Waiter2 { get; } = new("waiter-2");

        /// <summary>The holders take the locks, then the waiters block on them; returns once both wait.</summary>
        public void Begin()
        {
            _holder1.Run(() => Monitor.Enter(_lock1)).Wait(Deadline);
            _holder2.Run(() => Monitor.Enter(_lock2)).Wait(Deadline);
            Volatile.Write(ref _waiting, 0);
            _entered1 = Waiter1.Run(() => Enter(_lock1));
            _entered2 = Waiter2.Run(() => Enter(_lock2));

            // Once a waiter announced it enters, blocked means blocked on the lock (not idle between work items).
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref _waiting) == 2 && Waiter1.IsBlocked && Waiter2.IsBlocked, Deadline));
            _begun.Set();
        }

        /// <summary>Waits (bounded) until <see cref="Begin"/> returned; returns whether it did.</summary>
        public bool WaitBegun() => _begun.Wait(Deadline);

        private void Enter(object gate)
        {
            Interlocked.Increment(ref _waiting);
            lock (gate)
            {
            }
        }

        /// <summary>The holders let go; returns once both waiters got in (their waits ended).</summary>
        public void End()
        {
            if (_entered1 is null || _entered2 is null)
            {
                return;
            }

            _begun.Reset();
            _holder1.Run(() => Monitor.Exit(_lock1)).Wait(Deadline);
            _holder2.Run(() => Monitor.Exit(_lock2)).Wait(Deadline);
            Assert.True(_entered1.Wait(Deadline) && _entered2.Wait(Deadline));
            _entered1 = _entered2 = null;
        }

        public void Dispose()
        {
            End();
            _holder1.Dispose();
            _holder2.Dispose();
            Waiter1.Dispose();
            Waiter2.Dispose();
            _begun.Dispose();
        }
    }

    /// <summary>A thread that runs what it is given, in order, and knows its OS id (as the runtime's events carry it).</summary>
    private sealed class Worker : IDisposable
    {
        private readonly BlockingCollection<Action> _work = [];
        private readonly Thread _thread;
        private readonly ManualResetEventSlim _ready = new();

        public Worker(string name)
        {
            Name = name;
            _thread = new Thread(() =>
            {
                var stat = File.ReadAllText("/proc/thread-self/stat");
                OsId = long.Parse(stat.AsSpan(0, stat.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
                ManagedId = Environment.CurrentManagedThreadId;
                _ready.Set();
                foreach (var action in _work.GetConsumingEnumerable())
                {
                    action();
                }
            })
            { IsBackground = true, Name = name };
            _thread.Start();
            _ready.Wait();
        }

        public string Name { get; }

        public long OsId { get; private set; }

        public int ManagedId { get; private set; }

        public bool IsBlocked => (_thread.ThreadState & ThreadState.WaitSleepJoin) != 0;

        public Task Run(Action action)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _work.Add(() =>
            {
                try
                {
                    action();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
            return done.Task;
        }

        public void Dispose()
        {
            _work.CompleteAdding();
            _thread.Join(Deadline);
            _work.Dispose();
            _ready.Dispose();
        }
    }
}
