using Brigade.Diagnostics;

namespace Brigade.Doctor.Tests;

/// <summary>
/// Review 71: four threads taking turns holding one lock for 1.5 s (a slow holder, no deadlock) cost 8 dumps in 115 s,
/// where the docs said "one dump, then at most one per MaxBackOff": the watch rationed a set of waiting threads, and the
/// waiting threads changed every turn, so only the doubling pause (1 s, 2 s, 4 s...) held it back. The rationing is now
/// per lock (with the lock its holder waits on, if any): a lock whose long waits a dump showed to be no deadlock is not
/// dumped again for MaxBackOff, whoever waits on it; a cycle that forms later on the same locks is a new thread waiting on
/// a second lock while it holds the first, which is a new key, so it is still dumped (and reported). The dump and its
/// analysis are a stand-in; the contentions are real, with holds of 300 ms over a threshold of 100 ms.
/// (Same class as the other watch tests: one watch per process.)
/// </summary>
public sealed partial class PlainLockWatchTests
{
    private static readonly TimeSpan Review71Hold = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Review71_LockPassedRoundAmongChangingWaiters_IsDumpedOnce_NotAtEachNewSetOfWaiters()
    {
        var diagnostics = new PitfallDiagnostics();
        var calls = 0;
        using var watch = PlainLockWatch.Start(Options(diagnostics), _ =>
        {
            Interlocked.Increment(ref calls);
            return Empty();
        });

        using (var turns = new Review71Turns(new object(), threads: 4, Review71Hold))
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref calls) >= 1, Deadline), "the watch never dumped the slow holder");

            // Before review 71 the next sets of waiters were new sets, dumped 1 s and 3 s later (the pauses).
            Thread.Sleep(TimeSpan.FromSeconds(4.5));
            Assert.True(turns.Holders >= 2, $"the lock was not passed round: {turns.Holders} holders in {turns.Turns} turns");
        }

        // One dump for the lock; one more allowed for another long contention of this test process.
        Assert.InRange(Volatile.Read(ref calls), 1, 2);
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public void Review71_AbbaDeadlock_FormingAfterSlowHolderEpisodesOnItsTwoLocks_IsStillReported()
    {
        // Rationed per lock alone, both locks of this cycle would be held back for MaxBackOff (10 min here): each was
        // dumped before, slow and not deadlocked. Each wait of the cycle is on a lock whose holder waits on the other one.
        var diagnostics = new PitfallDiagnostics();
        var calls = 0;
        Review71Abba? formed = null;
        var left = new object();
        var right = new object();
        using var waiterA = new Worker("abba-a");
        using var waiterB = new Worker("abba-b");
        var options = Options(diagnostics);
        options.MaxBackOff = TimeSpan.FromMinutes(10);
        using var watch = PlainLockWatch.Start(options, _ =>
        {
            Interlocked.Increment(ref calls);
            return Volatile.Read(ref formed) is { } abba ? Cycle(possible: false, abba.A, abba.B) : Empty();
        });

        using (new Review71Turns(left, threads: 3, Review71Hold))
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref calls) >= 1, Deadline), "the watch never dumped the slow holder of the first lock");
        }

        var afterLeft = Volatile.Read(ref calls);
        using (new Review71Turns(right, threads: 3, Review71Hold))
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref calls) > afterLeft, Deadline), "the watch never dumped the slow holder of the second lock");
        }

        using var ring = new Review71Abba(waiterA, waiterB, left, right);
        ring.Begin();
        Volatile.Write(ref formed, ring);
        Assert.True(SpinWait.SpinUntil(() => diagnostics.Reports.Count >= 1, Deadline), $"the deadlock was not reported; diagnoses: {Volatile.Read(ref calls)}");
        Volatile.Write(ref formed, null);
        ring.End();
        var report = Assert.Single(diagnostics.Reports);
        Assert.Equal(PitfallKind.Deadlock, report.Kind);
    }

    /// <summary>Threads that take turns holding one lock (each holds it <c>hold</c>, then lets the others in), until disposed.</summary>
    private sealed class Review71Turns : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly HashSet<int> _holders = [];
        private volatile bool _stop;
        private int _turns;

        public Review71Turns(object gate, int threads, TimeSpan hold)
        {
            _threads = [.. Enumerable.Range(0, threads).Select(k => new Thread(() =>
            {
                while (!_stop)
                {
                    lock (gate)
                    {
                        Interlocked.Increment(ref _turns);
                        lock (_holders)
                        {
                            _holders.Add(Environment.CurrentManagedThreadId);
                        }

                        Thread.Sleep(hold);
                    }

                    // Lets a waiter in (a Monitor lets the thread that just left barge in again).
                    Thread.Sleep(hold / 3);
                }
            })
            { IsBackground = true, Name = $"turn-{k}" })];
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }

        public int Turns => Volatile.Read(ref _turns);

        public int Holders
        {
            get
            {
                lock (_holders)
                {
                    return _holders.Count;
                }
            }
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var thread in _threads)
            {
                Assert.True(thread.Join(Deadline));
            }
        }
    }

    /// <summary>A real lock cycle: A holds the left lock and waits on the right one, B holds the right one and waits on
    /// the left one. <see cref="End"/> interrupts B's wait, which lets both go.</summary>
    private sealed class Review71Abba(Worker a, Worker b, object left, object right) : IDisposable
    {
        private Thread? _threadB;
        private Task? _waitA;
        private Task? _waitB;
        private int _waiting;

        public Worker A => a;

        public Worker B => b;

        public void Begin()
        {
            a.Run(() => Monitor.Enter(left)).Wait(Deadline);
            b.Run(() => Monitor.Enter(right)).Wait(Deadline);
            _waitA = a.Run(() =>
            {
                Interlocked.Increment(ref _waiting);
                lock (right)
                {
                }

                Monitor.Exit(left);
            });
            _waitB = b.Run(() =>
            {
                Volatile.Write(ref _threadB, Thread.CurrentThread);
                Interlocked.Increment(ref _waiting);
                try
                {
                    lock (left)
                    {
                    }
                }
                catch (ThreadInterruptedException)
                {
                    // End: B gives up its wait, which frees A.
                }
                finally
                {
                    Monitor.Exit(right);
                }
            });

            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref _waiting) == 2 && a.IsBlocked && b.IsBlocked, Deadline));
        }

        public void End()
        {
            if (_waitA is null || _waitB is null)
            {
                return;
            }

            Volatile.Read(ref _threadB)?.Interrupt();
            Assert.True(_waitB.Wait(Deadline) && _waitA.Wait(Deadline));
            _waitA = _waitB = null;
        }

        public void Dispose() => End();
    }
}
