using Brigade.Synchronization;

namespace Brigade.Testing.Tests.Corpus;

/// <summary>
/// The labelled corpus: small racy and race-free programs (counters, check-then-act, lazy initialization, double-checked
/// locking, publication, producer/consumer, bank transfers, dining philosophers, readers/writers, polite livelock,
/// fork/join). Every program creates its state afresh and does a few operations per flow: enough for the bug, small
/// enough that an exploration schedule takes a few dozen steps.
/// </summary>
public static class Programs
{
    private const int SpinLimit = 20_000;

    public static IReadOnlyList<CorpusProgram> All { get; } =
    [
        // Counters
        new("counter-unsynchronized", Verdict.Racy, p => Counter(p, 2, (c, _) => c.Write(c.Read() + 1))),
        new("counter-three-flows-unsynchronized", Verdict.Racy, p => Counter(p, 3, (c, _) => c.Write(c.Read() + 1))),
        new("counter-locked", Verdict.Correct, p => { var l = p.Lock("counter lock"); Counter(p, 2, (c, _) => { using (l.Acquire()) { c.Write(c.Read() + 1); } }, expectExact: true); }),
        new("counter-atomic", Verdict.Correct, p => Counter(p, 2, (c, _) => c.Increment(), expectExact: true)),
        new("counter-update", Verdict.Correct, p => Counter(p, 3, (c, _) => c.Update(v => v + 1), expectExact: true)),
        new("counter-semaphore-of-one", Verdict.Correct, p => { var s = p.Semaphore(1, "mutex"); Counter(p, 2, (c, _) => { using (s.Acquire()) { c.Write(c.Read() + 1); } }, expectExact: true); }),
        new("counter-semaphore-of-two", Verdict.Racy, p => { var s = p.Semaphore(2, "two permits"); Counter(p, 2, (c, _) => { using (s.Acquire()) { c.Write(c.Read() + 1); } }); }),
        new("counter-under-read-lock", Verdict.Racy, p => { var rw = p.ReaderWriterLock("rw"); Counter(p, 2, (c, _) => { using (rw.AcquireRead()) { c.Write(c.Read() + 1); } }); }),
        new("counter-under-write-lock", Verdict.Correct, p => { var rw = p.ReaderWriterLock("rw"); Counter(p, 2, (c, _) => { using (rw.AcquireWrite()) { c.Write(c.Read() + 1); } }, expectExact: true); }),
        new("counter-different-locks", Verdict.Racy, p => { var a = p.Lock("a"); var b = p.Lock("b"); Counter(p, 2, (c, i) => { using ((i == 0 ? a : b).Acquire()) { c.Write(c.Read() + 1); } }); }),

        // Check-then-act
        new("check-then-act-unsynchronized", Verdict.Racy, p => CheckThenAct(p, (slot, id) => { if (slot.Read() == 0) { slot.Write(id); } })),
        new("check-then-act-locked", Verdict.Correct, p => { var l = p.Lock("slot lock"); CheckThenAct(p, (slot, id) => { using (l.Acquire()) { if (slot.Read() == 0) { slot.Write(id); } } }); }),
        new("check-then-act-compare-exchange", Verdict.Correct, p => CheckThenAct(p, (slot, id) => slot.CompareExchange(id, 0))),
        new("check-then-act-atomic-but-split", Verdict.AssertionFailure, CheckThenActSplit),

        // Lazy initialization and double-checked locking
        new("lazy-init-unsynchronized", Verdict.Racy, p => LazyInit(p, (instance, created, _) => { if (instance.Read() is null) { created.Increment(); instance.Write(new object()); } return instance.Read()!; })),
        new("lazy-init-locked", Verdict.Correct, p => { var l = p.Lock("init"); LazyInit(p, (instance, created, _) => { using (l.Acquire()) { if (instance.Read() is null) { created.Increment(); instance.Write(new object()); } return instance.Read()!; } }, exactlyOnce: true); }),
        new("double-checked-locking-plain-read", Verdict.Racy, p => { var l = p.Lock("init"); LazyInit(p, (instance, created, _) => { if (instance.Read() is { } ready) { return ready; } using (l.Acquire()) { if (instance.Read() is null) { created.Increment(); instance.Write(new object()); } return instance.Read()!; } }); }),
        new("double-checked-locking-acquire-release", Verdict.Correct, p => { var l = p.Lock("init"); LazyInit(p, (instance, created, _) => { if (instance.ReadAcquire() is { } ready) { return ready; } using (l.Acquire()) { if (instance.ReadAcquire() is null) { created.Increment(); instance.WriteRelease(new object()); } return instance.ReadAcquire()!; } }, exactlyOnce: true); }),
        new("lazy-init-compare-exchange", Verdict.Correct, p => LazyInit(p, (instance, _, _) => { var fresh = new object(); return instance.CompareExchange(fresh, null) ?? fresh; })),

        // Publication
        new("publication-without-barrier", Verdict.Racy, p => Publication(p, (data, ready) => { data.Write(42); ready.Write(true); }, (data, ready) => ready.Read() ? data.Read() : -1)),
        new("publication-release-acquire", Verdict.Correct, p => Publication(p, (data, ready) => { data.Write(42); ready.WriteRelease(true); }, (data, ready) => SpinUntil(p, () => ready.ReadAcquire()) ? data.Read() : -1)),
        new("publication-data-after-flag", Verdict.Racy, p => Publication(p, (data, ready) => { ready.WriteRelease(true); data.Write(42); }, (data, ready) => SpinUntil(p, () => ready.ReadAcquire()) ? data.Read() : -1)),
        new("publication-under-lock", Verdict.Correct, p => { var l = p.Lock("publish"); Publication(p, (data, ready) => { using (l.Acquire()) { data.Write(42); ready.Write(true); } }, (data, ready) => { using (l.Acquire()) { return ready.Read() ? data.Read() : -1; } }); }),

        // Producer/consumer
        new("producer-consumer-locked-buffer", Verdict.Correct, p => ProducerConsumer(p, locked: true)),
        new("producer-consumer-unsynchronized-buffer", Verdict.Racy, p => ProducerConsumer(p, locked: false)),
        new("producer-consumer-release-acquire-index", Verdict.Correct, ProducerConsumerIndex),

        // Bank transfers
        new("bank-transfer-unsynchronized", Verdict.Racy, p => Bank(p, (a, b, _) => (null, null))),
        new("bank-transfer-ordered-locks", Verdict.Correct, p => { var la = p.Lock("account A"); var lb = p.Lock("account B"); Bank(p, (a, b, forward) => (la, lb)); }),
        new("bank-transfer-opposite-order", Verdict.Deadlock, p => { var la = p.Lock("account A"); var lb = p.Lock("account B"); Bank(p, (a, b, forward) => forward ? (la, lb) : (lb, la)); }),
        new("bank-transfer-locks-only-source", Verdict.Racy, p => { var la = p.Lock("account A"); var lb = p.Lock("account B"); Bank(p, (a, b, forward) => (forward ? la : lb, null)); }),
        new("bank-audit-without-lock", Verdict.Racy, BankAudit),

        // Dining philosophers
        new("dining-philosophers-two-deadlock", Verdict.Deadlock, p => Dining(p, 2, ordered: false)),
        new("dining-philosophers-three-deadlock", Verdict.Deadlock, p => Dining(p, 3, ordered: false)),
        new("dining-philosophers-three-ordered", Verdict.Correct, p => Dining(p, 3, ordered: true)),
        new("dining-philosophers-polite-livelock", Verdict.Livelock, PoliteDining),

        // Readers/writers
        new("readers-writers-lock", Verdict.Correct, p => ReadersWriters(p, writerUsesWriteLock: true, readersLock: true)),
        new("readers-writers-writer-under-read-lock", Verdict.Racy, p => ReadersWriters(p, writerUsesWriteLock: false, readersLock: true)),
        new("readers-writers-reader-without-lock", Verdict.Racy, p => ReadersWriters(p, writerUsesWriteLock: true, readersLock: false)),
        new("reader-upgrading-to-writer", Verdict.Deadlock, ReaderUpgrade),

        // Fork/join
        new("fork-join-child-writes-parent-reads-after-join", Verdict.Correct, p => ForkJoin(p, readBeforeJoin: false)),
        new("fork-join-parent-reads-before-join", Verdict.Racy, p => ForkJoin(p, readBeforeJoin: true)),
        new("fork-after-write", Verdict.Correct, p => { var x = new Shared<int>("x"); x.Write(1); var child = p.Fork(() => Check(x.Read() == 1, "child saw the write made before it started"), "child"); p.Join(child); }),
        new("fork-then-parent-writes", Verdict.Racy, p => { var x = new Shared<int>("x"); var child = p.Fork(() => x.Read(), "child"); x.Write(1); p.Join(child); }),
        new("fork-join-tree-distinct-cells", Verdict.Correct, p => Tree(p, shared: false)),
        new("fork-join-tree-shared-accumulator", Verdict.Racy, p => Tree(p, shared: true)),
        new("fork-join-tree-atomic-accumulator", Verdict.Correct, p => Tree(p, shared: false, atomic: true)),

        // Spin-waits and self-deadlock
        new("spin-wait-lost-signal", Verdict.Livelock, LostSignal),
        new("lock-taken-twice", Verdict.Deadlock, p => { var l = p.Lock("not reentrant"); var x = new Shared<int>("x"); var f = p.Fork(() => { using (l.Acquire()) { x.Write(1); using (l.Acquire()) { x.Write(2); } } }, "reentrant"); p.Join(f); }),

        // Brigade's engines (real threads only: the explorer does not control engine workers)
        new("runner-items-write-distinct-cells", Verdict.Correct, RunnerDistinct, RealOnly: true),
        new("runner-items-increment-shared-counter", Verdict.Racy, p => RunnerCounter(p, atomic: false), RealOnly: true),
        new("runner-items-increment-atomically", Verdict.Correct, p => RunnerCounter(p, atomic: true), RealOnly: true),
    ];

    public static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Assertion failed: " + what);
        }
    }

    private static bool SpinUntil(IPar p, Func<bool> condition)
    {
        for (var i = 0; i < SpinLimit; i++)
        {
            if (condition())
            {
                return true;
            }

            p.Yield();
        }

        return false;
    }

    private static void Counter(IPar p, int flows, Action<Shared<int>, int> increment, bool expectExact = false)
    {
        const int Each = 2;
        var counter = new Shared<int>("counter");
        var tasks = Enumerable.Range(0, flows).Select(i => p.Fork(() => { for (var k = 0; k < Each; k++) { increment(counter, i); } }, $"adder-{i + 1}")).ToList();
        tasks.ForEach(p.Join);
        if (expectExact)
        {
            Check(counter.Read() == flows * Each, "no update lost");
        }
    }

    private static void CheckThenAct(IPar p, Action<Shared<int>, int> claim)
    {
        var slot = new Shared<int>("slot");
        var a = p.Fork(() => claim(slot, 1), "claimer-1");
        var b = p.Fork(() => claim(slot, 2), "claimer-2");
        p.Join(a);
        p.Join(b);
        Check(slot.Read() is 1 or 2, "claimed");
    }

    private static void CheckThenActSplit(IPar p)
    {
        var slot = new Shared<int>("slot");
        var winners = new Shared<int>("winners");
        void Claim(int id)
        {
            if (slot.ReadAcquire() == 0)
            {
                slot.WriteRelease(id);
                winners.Increment();
            }
        }

        var a = p.Fork(() => Claim(1), "claimer-1");
        var b = p.Fork(() => Claim(2), "claimer-2");
        p.Join(a);
        p.Join(b);
        Check(winners.ReadAcquire() == 1, $"exactly one claimer wins (winners = {winners.ReadAcquire()})");
    }

    private static void LazyInit(IPar p, Func<Shared<object?>, Shared<int>, int, object> get, bool exactlyOnce = false)
    {
        var instance = new Shared<object?>("instance");
        var created = new Shared<int>("created");
        object? first = null;
        object? second = null;
        var a = p.Fork(() => first = get(instance, created, 1), "user-1");
        var b = p.Fork(() => second = get(instance, created, 2), "user-2");
        p.Join(a);
        p.Join(b);
        if (exactlyOnce)
        {
            Check(created.ReadAcquire() == 1 && ReferenceEquals(first, second), "created once, shared by both");
        }
    }

    private static void Publication(IPar p, Action<Shared<int>, Shared<bool>> publish, Func<Shared<int>, Shared<bool>, int> consume)
    {
        var data = new Shared<int>("data");
        var ready = new Shared<bool>("ready");
        var seen = 0;
        var writer = p.Fork(() => publish(data, ready), "publisher");
        var reader = p.Fork(() => seen = consume(data, ready), "reader");
        p.Join(writer);
        p.Join(reader);
        Check(seen is 42 or -1, "the reader saw the published value or nothing");
    }

    private static void ProducerConsumer(IPar p, bool locked)
    {
        const int Items = 3;
        var gate = p.Lock("buffer");
        var slots = Enumerable.Range(0, Items).Select(i => new Shared<int>($"slot{i}")).ToArray();
        var count = new Shared<int>("count");
        var sum = 0;
        var producer = p.Fork(() =>
        {
            for (var i = 0; i < Items; i++)
            {
                if (locked)
                {
                    using (gate.Acquire())
                    {
                        slots[i].Write(i + 1);
                        count.Write(i + 1);
                    }
                }
                else
                {
                    slots[i].Write(i + 1);
                    count.Write(i + 1);
                }
            }
        }, "producer");
        var consumer = p.Fork(() =>
        {
            for (var i = 0; i < Items; i++)
            {
                var got = SpinUntil(p, () =>
                {
                    if (!locked)
                    {
                        return count.Read() > i;
                    }

                    using (gate.Acquire())
                    {
                        return count.Read() > i;
                    }
                });
                if (!got)
                {
                    return;
                }

                if (locked)
                {
                    using (gate.Acquire())
                    {
                        sum += slots[i].Read();
                    }
                }
                else
                {
                    sum += slots[i].Read();
                }
            }
        }, "consumer");
        p.Join(producer);
        p.Join(consumer);
        Check(sum is 0 or 6 || !locked, "the consumer got every item");
    }

    private static void ProducerConsumerIndex(IPar p)
    {
        const int Items = 3;
        var slots = Enumerable.Range(0, Items).Select(i => new Shared<int>($"slot{i}")).ToArray();
        var published = new Shared<int>("published");
        var sum = 0;
        var producer = p.Fork(() =>
        {
            for (var i = 0; i < Items; i++)
            {
                slots[i].Write(i + 1);
                published.WriteRelease(i + 1);
            }
        }, "producer");
        var consumer = p.Fork(() =>
        {
            for (var i = 0; i < Items; i++)
            {
                if (!SpinUntil(p, () => published.ReadAcquire() > i))
                {
                    return;
                }

                sum += slots[i].Read();
            }
        }, "consumer");
        p.Join(producer);
        p.Join(consumer);
    }

    private static void Bank(IPar p, Func<Shared<int>, Shared<int>, bool, (DetectingLock? First, DetectingLock? Second)> locks)
    {
        var a = new Shared<int>("balance A", 100);
        var b = new Shared<int>("balance B", 100);
        void Transfer(Shared<int> from, Shared<int> to, bool forward, int amount)
        {
            var (first, second) = locks(a, b, forward);
            var s1 = first?.Acquire() ?? default;
            var s2 = second?.Acquire() ?? default;
            try
            {
                from.Write(from.Read() - amount);
                to.Write(to.Read() + amount);
            }
            finally
            {
                s2.Dispose();
                s1.Dispose();
            }
        }

        var t1 = p.Fork(() => Transfer(a, b, forward: true, 10), "transfer A->B");
        var t2 = p.Fork(() => Transfer(b, a, forward: false, 20), "transfer B->A");
        p.Join(t1);
        p.Join(t2);
    }

    private static void BankAudit(IPar p)
    {
        var gate = p.Lock("accounts");
        var a = new Shared<int>("balance A", 100);
        var b = new Shared<int>("balance B", 100);
        var transfer = p.Fork(() => { using (gate.Acquire()) { a.Write(a.Read() - 10); b.Write(b.Read() + 10); } }, "transfer");
        var audit = p.Fork(() => _ = a.Read() + b.Read(), "auditor");
        p.Join(transfer);
        p.Join(audit);
    }

    private static void Dining(IPar p, int n, bool ordered)
    {
        var forks = Enumerable.Range(0, n).Select(i => p.Lock($"fork {i + 1}")).ToArray();
        var meals = Enumerable.Range(0, n).Select(i => new Shared<int>($"meals of {i + 1}")).ToArray();
        var diners = Enumerable.Range(0, n).Select(i => p.Fork(() =>
        {
            var left = i;
            var right = (i + 1) % n;
            var (first, second) = ordered ? (Math.Min(left, right), Math.Max(left, right)) : (left, right);
            using (forks[first].Acquire())
            using (forks[second].Acquire())
            {
                meals[i].Write(meals[i].Read() + 1);
            }
        }, $"philosopher-{i + 1}")).ToList();
        diners.ForEach(p.Join);
    }

    private static void PoliteDining(IPar p)
    {
        var forks = new[] { p.Lock("fork 1"), p.Lock("fork 2") };
        var meals = new Shared<int>("meals");
        var diners = Enumerable.Range(0, 2).Select(i => p.Fork(() =>
        {
            // Polite: take the left fork, try the right one, and if it is taken put the left one back and try again.
            for (var attempt = 0; p.Explored || attempt < SpinLimit; attempt++)
            {
                using (forks[i].Acquire())
                {
                    using var right = forks[1 - i].TryAcquire(TimeSpan.Zero);
                    if (right.IsAcquired)
                    {
                        meals.Increment();
                        return;
                    }
                }

                p.Yield();
            }
        }, $"philosopher-{i + 1}")).ToList();
        diners.ForEach(p.Join);
    }

    private static void ReadersWriters(IPar p, bool writerUsesWriteLock, bool readersLock)
    {
        var rw = p.ReaderWriterLock("table");
        var value = new Shared<int>("value");
        var writer = p.Fork(() => { using (writerUsesWriteLock ? rw.AcquireWrite() : rw.AcquireRead()) { value.Write(value.Read() + 1); } }, "writer");
        var readers = Enumerable.Range(0, 2).Select(i => p.Fork(() =>
        {
            if (readersLock)
            {
                using (rw.AcquireRead())
                {
                    _ = value.Read();
                }
            }
            else
            {
                _ = value.Read();
            }
        }, $"reader-{i + 1}")).ToList();
        p.Join(writer);
        readers.ForEach(p.Join);
    }

    private static void ReaderUpgrade(IPar p)
    {
        var rw = p.ReaderWriterLock("table");
        var value = new Shared<int>("value");
        var upgrader = p.Fork(() =>
        {
            using (rw.AcquireRead())
            {
                if (value.Read() == 0)
                {
                    using (rw.AcquireWrite())
                    {
                        value.Write(1);
                    }
                }
            }
        }, "upgrader");
        p.Join(upgrader);
    }

    private static void ForkJoin(IPar p, bool readBeforeJoin)
    {
        var result = new Shared<int>("result");
        var child = p.Fork(() => result.Write(42), "child");
        if (readBeforeJoin)
        {
            _ = result.Read();
            p.Join(child);
        }
        else
        {
            p.Join(child);
            Check(result.Read() == 42, "the child's result is there after the join");
        }
    }

    private static void Tree(IPar p, bool shared, bool atomic = false)
    {
        var cells = Enumerable.Range(0, 3).Select(i => new Shared<int>($"cell{i}")).ToArray();
        var total = new Shared<int>("total");
        var children = Enumerable.Range(0, 3).Select(i => p.Fork(() =>
        {
            if (atomic)
            {
                total.Add(i + 1);
            }
            else if (shared)
            {
                total.Write(total.Read() + i + 1);
            }
            else
            {
                cells[i].Write(i + 1);
            }
        }, $"leaf-{i + 1}")).ToList();
        children.ForEach(p.Join);
        if (!shared)
        {
            Check((atomic ? total.Read() : cells.Sum(c => c.Read())) == 6, "every leaf's part is in the sum");
        }
    }

    private static void LostSignal(IPar p)
    {
        var requested = new Shared<bool>("requested");
        var signalled = new Shared<bool>("signalled");
        var waiter = p.Fork(() =>
        {
            requested.WriteRelease(true);
            Check(SpinUntil(p, () => signalled.ReadAcquire()), "the signal arrived");
        }, "waiter");
        var signaller = p.Fork(() =>
        {
            // The bug: it signals only if the request is already there; a request that comes later is never answered.
            if (requested.ReadAcquire())
            {
                signalled.WriteRelease(true);
            }
        }, "signaller");
        p.Join(signaller);
        p.Join(waiter);
    }

    private static void RunnerDistinct(IPar p)
    {
        var cells = Enumerable.Range(0, 32).Select(i => new Shared<int>($"cell{i}")).ToArray();
        foreach (var c in cells)
        {
            c.Write(1);
        }

        Runner.ForEachAsync(Enumerable.Range(0, 32), i => cells[i].Write(cells[i].Read() + i), new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 4 }).GetAwaiter().GetResult();
        Check(cells.Sum(c => c.Read()) == 32 + (31 * 32 / 2), "every item's write is seen after the run");
    }

    private static void RunnerCounter(IPar p, bool atomic)
    {
        var counter = new Shared<long>("hits");
        Runner.ForEachAsync(Enumerable.Range(0, 64), _ => { if (atomic) { counter.Increment(); } else { counter.Write(counter.Read() + 1); } }, new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 4, BatchSize = 1 }).GetAwaiter().GetResult();
        if (atomic)
        {
            Check(counter.ReadAcquire() == 64, "every hit counted");
        }
    }
}
