namespace Brigade.Doctor.Analysis;

/// <summary>
/// Async hangs, where no thread is blocked on a lock: flows suspended in <c>SemaphoreSlim.WaitAsync</c> on semaphores
/// with no free slot. A cycle of such flows, each holding (by <see cref="AsyncFlows.MayHold"/>'s evidence) the slot the
/// previous one waits for, is a possible deadlock (<c>BRG1001</c>, never certain: a semaphore has no owner). A thread
/// blocked on flows that are all stuck that way, with no flow that may hold their slots making progress and no
/// application thread running, no timer scheduled and no other flow able to make progress, is a hang (<c>BRG1008</c>).
/// </summary>
internal static class AsyncFindings
{
    /// <summary>An async hang: a blocked thread and the stuck flows it waits for; who took each semaphore's slot: flows
    /// (<see cref="Holders"/>) and threads that called <c>Wait</c> and cannot go on (<see cref="ThreadHolders"/>: the
    /// method that took it, and whether the semaphore there is surely this one).</summary>
    internal sealed record Hang(DiagnosedThread Thread, List<AwaitedTask> Flows, List<SemaphoreInfo> Semaphores, Dictionary<SemaphoreInfo, List<(AwaitedTask Flow, AwaitSites.Site At)>> Holders,
        Dictionary<SemaphoreInfo, List<(DiagnosedThread Thread, string At, bool Surely)>> ThreadHolders);

    public static (List<DeadlockCycle> Cycles, List<Hang> Hangs) Find(AsyncFlows async, TaskReader tasks, IReadOnlyList<DiagnosedThread> threads, HashSet<int> inCycles)
    {
        var heap = async.Heap;

        // Every flow: its outermost suspended async method, described down to what its innermost one awaits.
        var flows = new Dictionary<ulong, AwaitedTask>();
        foreach (var box in heap.Boxes.Values.Where(b => !heap.IsAwaitedByAsyncMethod(b.Address)).OrderBy(b => b.Address))
        {
            flows[box.Address] = tasks.Describe(box);
        }

        // Who may hold each semaphore's slot: the flows one of whose async methods passed its WaitAsync.
        var holders = new Dictionary<SemaphoreInfo, List<(AwaitedTask Flow, AwaitSites.Site At)>>();
        var heldIn = new Dictionary<(SemaphoreInfo, AwaitedTask), AwaitedTask>();
        foreach (var flow in flows.Values)
        {
            foreach (var step in Chain(flow).Where(s => heap.Boxes.ContainsKey(s.Address)))
            {
                foreach (var (semaphore, at) in async.MayHold(heap.Boxes[step.Address]))
                {
                    if (!holders.TryGetValue(semaphore, out var list))
                    {
                        holders[semaphore] = list = [];
                    }

                    if (!list.Exists(h => h.Flow == flow))
                    {
                        list.Add((flow, at));
                        heldIn[(semaphore, flow)] = step;
                    }
                }
            }
        }

        // The flows stuck on a semaphore with no free slot, and the flows they wait for.
        var stuck = flows.Values.Where(Stuck).ToList();
        var index = flows.Values.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);
        var byIndex = flows.Values.ToList();
        var edges = new Dictionary<int, List<int>>();
        foreach (var flow in stuck)
        {
            var semaphore = heap.WaiterOf[Leaf(flow).Address];
            edges[index[flow]] = holders.TryGetValue(semaphore, out var held) ? [.. held.Select(h => index[h.Flow]).Distinct()] : [];
        }

        // A cycle needs every flow in it stuck for good, so every semaphore on it must have no holder that can still run.
        // A flow is said to hold a slot on IL order alone (a branch may have skipped that WaitAsync): when another holder
        // of the same semaphore is not stuck (it awaits a timer, a completion source, I/O), when a thread took it with
        // Wait() and can still run, or when more holders are seen than the semaphore has slots (a (1, 1) semaphore taken
        // by two flows: one of them did not take it), the cycle is not shown to be one, and is not reported.
        var stuckSet = stuck.ToHashSet();
        var threadHolders = async.ThreadHolders;
        bool HeldByRunningThread(SemaphoreInfo s, DiagnosedThread? except) =>
            threads.Any(t => t != except && CanStillRun(t, inCycles) && threadHolders.Holds(t, s));
        bool OnlyStuckHolders(SemaphoreInfo s)
        {
            var held = holders.GetValueOrDefault(s) ?? [];
            if (held.Exists(h => !stuckSet.Contains(h.Flow)) || HeldByRunningThread(s, null))
            {
                return false;
            }

            var count = held.Count + threads.Count(t => !t.IsIdle && t.RunsApplicationCode && threadHolders.SurelyHolds(t, s));
            return s.MaxCount <= 0 || count <= s.MaxCount;
        }

        var waitedBy = threads.Where(t => t.Wait is { Kind: WaitKind.Task, Task: not null } w && !t.IsIdle && !WaitRule.IsTimed(w.Api))
            .ToDictionary(t => t, t => ThreadFlows(t.Wait!.Task!));
        var cycles = new List<DeadlockCycle>();
        foreach (var (cycle, behind) in WaitGraph.FindCycles(edges))
        {
            if (!cycle.Select(f => heap.WaiterOf[Leaf(byIndex[f]).Address]).Distinct().All(OnlyStuckHolders))
            {
                continue;
            }

            var links = cycle.Select((f, i) =>
            {
                var flow = byIndex[f];
                var next = byIndex[cycle[(i + 1) % cycle.Count]];
                var semaphore = heap.WaiterOf[Leaf(flow).Address];
                var at = holders[semaphore].First(h => h.Flow == next).At;
                return new AsyncDeadlockLink(flow, semaphore.Public, next, at.Location is null ? $"await {at.Display}" : $"await {at.Display} ({at.Location})")
                {
                    HeldInMethod = heldIn.TryGetValue((semaphore, next), out var step) ? MethodName(step) : null,
                };
            }).ToList();
            var roots = cycle.Concat(behind).Select(f => byIndex[f].Address).ToHashSet();
            var alsoStuck = waitedBy.Where(p => !inCycles.Contains(p.Key.ManagedThreadId) && p.Value.Exists(f => Chain(f).Any(t => roots.Contains(t.Address)))).Select(p => p.Key).ToList();
            cycles.Add(new DeadlockCycle([], alsoStuck) { IsPossible = true, AsyncLinks = links });
        }

        var inAsyncCycles = cycles.SelectMany(c => c.AlsoStuck).Select(t => t.ManagedThreadId).ToHashSet();
        var hangs = new List<Hang>();
        // Anything that can still run may release a slot, seen or not (a slot taken in a callee that has returned, a
        // semaphore released by a timer): an application thread running, sleeping, in I/O or in a wait that ends by
        // itself; a scheduled timer (System.Threading.Timer, Task.Delay, PeriodicTimer); a flow not stuck on a semaphore
        // (awaiting a timer, I/O, a completion source, or running). A thread in synchronous I/O counts when it runs an
        // async method or is a pool thread (an async method that blocks, Console.In.ReadLineAsync on Unix, holds its slot
        // there); a dedicated thread reading outside any async method (a console loop on stdin) is waiting for the world. Only a quiet process is called hung; otherwise the
        // flows are listed, no pitfall.
        var running = threads.Any(t => !t.IsIdle && t.RunsApplicationCode
            && (t.Wait is null || WaitRule.SleepsAndWakes(t.Wait) || WaitRule.IsTimed(t.Wait.Api) || WaitRule.TimeoutUnknown(t.Wait.Api)
                || (t.Wait.Kind == WaitKind.IO && (t.IsThreadPoolWorker || RunsAsyncMethod(t)))))
            || heap.ScheduledTimers > 0
            || flows.Values.Any(f => MayProgress(f, 0));
        // A module rebuilt since the dump leaves its awaits unmapped: no flow of it shows taking a slot, which says nothing.
        running |= async.StaleModules.Count > 0;
        foreach (var (thread, leaves) in waitedBy)
        {
            if (running || thread.IsThreadPoolWorker || inCycles.Contains(thread.ManagedThreadId) || inAsyncCycles.Contains(thread.ManagedThreadId)
                || leaves.Count == 0 || !leaves.TrueForAll(Stuck))
            {
                continue;
            }

            var semaphores = leaves.Select(l => heap.WaiterOf[Leaf(l).Address]).Distinct().ToList();

            // A semaphore no suspended flow shows taking is called leaked only when it is used as a lock (a method that
            // awaits its WaitAsync also releases it after): one used as a signal (released by a Ctrl+C handler, a reader
            // thread, a producer) waits for an event the dump cannot see coming.
            if (semaphores.Exists(s => !holders.ContainsKey(s) && !async.UsedAsLock(s)))
            {
                continue;
            }

            // A slot taken by a flow that may still make progress (it awaits a timer, I/O, ...) will be released: busy, not
            // hung. A flow awaiting Task.WhenAll of flows that are all stuck is stuck too (a throttle held across an awaited
            // nested WhenAll: `await gate.WaitAsync(); await Task.WhenAll(items.Select(WorkAsync))`, each WorkAsync waiting
            // on that gate; before review 43 such a holder counted as busy).
            if (semaphores.Exists(s => holders.TryGetValue(s, out var held) && held.Exists(h => MayProgress(h.Flow, 0))))
            {
                continue;
            }

            // A slot taken synchronously (Wait()) by a thread that can still run (in I/O, asleep, in a wait something else
            // can satisfy: a console reader holding the lock until a line comes) comes back when that thread goes on. Only
            // that thread counts: another thread reading stdin says nothing about this semaphore. A Wait on a semaphore
            // that cannot be pinned down (a local, a parameter, a helper that took it and returned) may be on this one.
            if (semaphores.Exists(s => HeldByRunningThread(s, thread)))
            {
                continue;
            }

            var byThreads = new Dictionary<SemaphoreInfo, List<(DiagnosedThread Thread, string At, bool Surely)>>();
            foreach (var s in semaphores)
            {
                byThreads[s] = [.. threads.Where(t => !t.IsIdle && t.RunsApplicationCode)
                    .Select(t => (Thread: t, Taken: threadHolders.TakenAt(t, s)))
                    .Where(p => p.Taken is not null)
                    .Select(p => (p.Thread, p.Taken!.Value.At, p.Taken.Value.Surely))];
            }

            hangs.Add(new Hang(thread, leaves, semaphores, holders, byThreads));
        }

        return (cycles, hangs);
    }

    /// <summary>Whether a thread can still go on by itself or be woken by something other than the stuck flows: it runs,
    /// sleeps, is in I/O, in a timed wait, in a wait any thread may end (an event, <c>Monitor.Wait</c>, a wait handle), or
    /// waits on a task some flow of which may progress. Not a thread in a deadlock cycle, nor one blocked on a lock or a
    /// semaphore (its holder is what matters), nor one waiting only on stuck flows.</summary>
    private static bool CanStillRun(DiagnosedThread thread, HashSet<int> inCycles) =>
        !thread.IsIdle && thread.RunsApplicationCode && !inCycles.Contains(thread.ManagedThreadId) && thread.Wait switch
        {
            null => true,
            { Kind: WaitKind.Sleep } w => WaitRule.SleepsAndWakes(w),
            { Kind: WaitKind.IO or WaitKind.ManualResetEventSlim or WaitKind.WaitHandle or WaitKind.MonitorWait } => true,
            { Kind: WaitKind.Task } w => WaitRule.IsTimed(w.Api) || w.Task is not { } task || ThreadFlows(task).Exists(f => MayProgress(f, 0)),
            var w => WaitRule.IsTimed(w.Api) || WaitRule.TimeoutUnknown(w.Api),
        };

    /// <summary>The flows a blocked thread waits for: its task's chain, or, where that chain ends in <c>Task.WhenAll</c>
    /// or <c>Task.WhenAny</c>, the flows that promise joins (<see cref="AwaitedTask.AwaitsAll"/>, recursively).</summary>
    private static List<AwaitedTask> ThreadFlows(AwaitedTask chain)
    {
        var leaf = Leaf(chain);
        return leaf.AwaitsAll.Count == 0 ? [chain] : [.. leaf.AwaitsAll.SelectMany(ThreadFlows)];
    }

    /// <summary>Whether a thread is inside an async method's, lambda's or local function's <c>MoveNext</c> (a flow running,
    /// perhaps holding a slot).</summary>
    internal static bool RunsAsyncMethod(DiagnosedThread thread) => thread.Frames.Any(f => AsyncStateMachines.IsMoveNext(f.Method));

    /// <summary>Whether a flow may still make progress: its innermost await is not a stuck <c>WaitAsync</c> (it awaits a
    /// timer, I/O, a completion source, or it runs), or, for <c>Task.WhenAll</c>/<c>WhenAny</c>, one of what it joins may.</summary>
    private static bool MayProgress(AwaitedTask flow, int depth)
    {
        var leaf = Leaf(flow);
        return leaf.AwaitsAll.Count == 0 ? !Stuck(flow) : depth > 16 || leaf.AwaitsAll.Any(a => MayProgress(a, depth + 1));
    }

    /// <summary>Whether a flow's innermost await is a <c>WaitAsync</c> without timeout or token on a semaphore with no free slot.</summary>
    private static bool Stuck(AwaitedTask flow) => Leaf(flow) is { Semaphore.CurrentCount: 0, SemaphoreWaitMayEnd: false };

    /// <summary>The method an async method's description names (<c>Shop.PlaceOrderAsync</c>), or null for anything else.</summary>
    public static string? MethodName(AwaitedTask step)
    {
        const string Prefix = "async method ";
        if (!step.Description.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = step.Description[Prefix.Length..];
        var paren = name.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? name[..paren] : name;
    }

    public static AwaitedTask Leaf(AwaitedTask flow)
    {
        while (flow.Awaits is not null)
        {
            flow = flow.Awaits;
        }

        return flow;
    }

    public static IEnumerable<AwaitedTask> Chain(AwaitedTask? task)
    {
        for (; task is not null; task = task.Awaits)
        {
            yield return task;
        }
    }
}
