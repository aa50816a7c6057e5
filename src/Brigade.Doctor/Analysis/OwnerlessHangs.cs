using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 71: threads that wait, with no timeout, on something no code left in the process can signal: a
/// <c>Monitor.Wait</c> whose Pulse came before it (or never), a <c>ManualResetEventSlim</c> or event nothing will set, a
/// <c>TaskCompletionSource</c> nothing will complete. Such a wait has no owner, so it was only listed, and the report ended
/// "No pitfall found" on a process hung for ever. Two kinds of evidence, strongest first:
/// <list type="bullet">
/// <item>certain: the waited-on object (the gate, the event, the completion source's task) is reachable only from the
/// waiting thread's own stack: no static field, no GC handle, no timer, no other thread's stack, no other live object
/// refers to it, so no other code can reach it to signal it;</item>
/// <item>possible: nothing else in the process can still run: every other thread is idle runtime or pool machinery (no
/// work queued), sleeps for ever, is in a deadlock, or waits for ever the same way; no timer is scheduled and no other async
/// method is suspended (one awaiting I/O may resume). Code the dump does not show (a native callback, another process
/// setting a named event) could still signal it.</item>
/// </list>
/// A thread that reads input, sleeps for a while, waits with a timeout, or a timer due to fire, keeps any wait from being
/// called a possible hang; only the first kind of evidence then speaks.
/// </summary>
internal static class OwnerlessHangs
{
    /// <summary>How many waits at most are proven private to their waiter: each proof walks the heap from every other root
    /// (up to <c>DoctorOptions.MaxHeapObjects</c>), and a process with hundreds of such waits should not cost hundreds of
    /// walks. The others may still be possible hangs.</summary>
    private const int MaxProofs = 8;

    /// <summary>One thread that waits for ever: what it waits on, and whether that is proven.</summary>
    internal sealed record Found(DiagnosedThread Thread, bool Certain, string Why);

    /// <summary>Finds the hangs among <paramref name="candidates"/> (threads in an untimed ownerless wait, with the objects
    /// whose signal would end it: the event or gate, or the completion sources' tasks).</summary>
    public static List<Found> Find(RuntimeReader reader, List<ThreadScan> scans, Dictionary<int, DiagnosedThread> threads,
        List<(ThreadScan Scan, List<ClrObject> Waited)> candidates, HashSet<int> inCycles, AsyncHeap? heap, bool workQueued, long maxObjects)
    {
        var found = new List<Found>();
        if (candidates.Count == 0)
        {
            return found;
        }

        var quiet = QuietProcess(reader, scans, candidates, inCycles, heap, workQueued, out var live);
        List<(int Thread, ulong Object)>? roots = null;
        var proofs = 0;
        foreach (var (scan, waited) in candidates)
        {
            ClrObject? only = null;
            if (waited.Count > 0 && proofs++ < MaxProofs)
            {
                roots ??= Roots(reader, scans);
                only = roots.Count > 0 ? PrivateTo(reader.Heap, roots, scan.ManagedId, waited, maxObjects) : null;
            }

            var thread = threads[scan.ManagedId];
            if (only is { } o)
            {
                found.Add(new Found(thread, true, $"the {Describe(o)} it waits on is reachable only from its own stack: no static field, GC handle, timer, other thread or other live object refers to it, so no other code can reach it to {Verb(scan)}"));
            }
            else if (quiet)
            {
                found.Add(new Found(thread, false, $"no other code can still run to {Verb(scan)}: the other threads are idle runtime or pool threads with no work queued, or themselves wait for ever{(live.Count > 0 ? $" ({string.Join(", ", live)})" : "")}; no timer is scheduled and no other async method is suspended"));
            }
        }

        return found;
    }

    private static string Describe(ClrObject obj) => obj.Type?.Name is { } name && name.StartsWith("System.Threading.Tasks.Task", StringComparison.Ordinal)
        ? $"task of a TaskCompletionSource ({name})"
        : obj.Type?.Name ?? "object";

    /// <summary>What would end the wait, as a verb.</summary>
    public static string Verb(ThreadScan scan) => scan.Kind switch
    {
        WaitKind.MonitorWait => "Pulse it",
        WaitKind.Task => "complete it",
        _ => "set it",
    };

    /// <summary>Whether nothing but the candidates can still run: each other thread is idle machinery, sleeps for ever, is
    /// in a deadlock cycle, or is a candidate; no timer is scheduled, no pool work queued, no other async method suspended.</summary>
    private static bool QuietProcess(RuntimeReader reader, List<ThreadScan> scans, List<(ThreadScan Scan, List<ClrObject> Waited)> candidates, HashSet<int> inCycles,
        AsyncHeap? heap, bool workQueued, out List<string> forever)
    {
        forever = [];
        if (heap is null || heap.Truncated || heap.ScheduledTimers > 0 || workQueued)
        {
            return false;
        }

        var waiting = candidates.Select(c => c.Scan.ManagedId).ToHashSet();
        foreach (var scan in scans.Where(s => !waiting.Contains(s.ManagedId)))
        {
            // A runtime thread waiting for its next job: the timer thread (timers counted above), the finalizer, the pool's
            // gate, an idle worker. The sockets' event loop delivers I/O completions, which may run any callback.
            if (scan.IsIdle && !scan.Frames.Exists(f => f.TypeName.Contains("SocketAsyncEngine", StringComparison.Ordinal)))
            {
                continue;
            }

            if (scan.Api == WaitRule.SleepForever || SleepsForEverHere(reader, scan) || inCycles.Contains(scan.ManagedId))
            {
                forever.Add($"{scan.Label} {(inCycles.Contains(scan.ManagedId) ? "is deadlocked" : "sleeps for ever")}");
                continue;
            }

            return false;
        }

        // A suspended async method may resume (I/O, a callback): only those the waiters' own task chains hold are quiet.
        var chains = candidates.Where(c => c.Scan.Task is not null).SelectMany(c => Chain(c.Scan.Task!)).Select(t => t.Address).ToHashSet();
        return heap.Boxes.Keys.All(chains.Contains);
    }

    /// <summary>A <c>Thread.Sleep</c> whose application caller passes <c>Timeout.Infinite</c> at the call it is in, though it
    /// sleeps for a while elsewhere (a <c>Main</c> that waits 300 ms in one branch and parks for ever at its end).</summary>
    private static bool SleepsForEverHere(RuntimeReader reader, ThreadScan scan) =>
        scan is { Kind: WaitKind.Sleep, Api: "Thread.Sleep", WaitFrame: >= 0 } && scan.WaitFrame + 1 < scan.Frames.Count
        && scan.Frames[scan.WaitFrame + 1] is { IsFramework: false } caller
        && InfiniteTimeoutArgument.PassesAtFrame(reader.Runtime, caller.Frame, "Thread", "Sleep");

    private static IEnumerable<AwaitedTask> Chain(AwaitedTask task)
    {
        for (var t = task; t is not null; t = t.Awaits)
        {
            yield return t;
            foreach (var joined in t.AwaitsAll.SelectMany(Chain))
            {
                yield return joined;
            }
        }
    }

    /// <summary>Every root: the GC handles, statics and finalizer queue (thread -1), and each live thread's stack roots. None
    /// when a stack is not read whole (its roots below the frames kept are unknown, so nothing is proven private).</summary>
    private static List<(int Thread, ulong Object)> Roots(RuntimeReader reader, List<ThreadScan> scans)
    {
        var roots = new List<(int, ulong)>();
        if (scans.Exists(s => reader.IsPartial(s.ManagedId)))
        {
            return roots;
        }

        try
        {
            foreach (var root in reader.Heap.EnumerateRoots())
            {
                if (root.RootKind != ClrRootKind.Stack && !root.Object.IsNull)
                {
                    roots.Add((-1, root.Object.Address));
                }
            }

            foreach (var thread in reader.Runtime.Threads.Where(t => t.IsAlive))
            {
                foreach (var root in thread.EnumerateStackRoots())
                {
                    if (!root.Object.IsNull)
                    {
                        roots.Add((thread.ManagedThreadId, root.Object.Address));
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return [];
        }

        return roots;
    }

    /// <summary>The first of <paramref name="waited"/> that no root but <paramref name="waiter"/>'s stack reaches, if any:
    /// a walk of the heap from every other root (bounded: past <paramref name="maxObjects"/> nothing is proven).</summary>
    private static ClrObject? PrivateTo(ClrHeap heap, List<(int Thread, ulong Object)> roots, int waiter, List<ClrObject> waited, long maxObjects)
    {
        var targets = waited.Where(w => !w.IsNull).Select(w => w.Address).ToHashSet();
        if (targets.Count == 0)
        {
            return null;
        }

        var seen = new HashSet<ulong>();
        var stack = new Stack<ulong>();
        foreach (var (thread, address) in roots)
        {
            if (thread != waiter && seen.Add(address))
            {
                stack.Push(address);
            }
        }

        try
        {
            while (stack.Count > 0)
            {
                var address = stack.Pop();
                if (targets.Remove(address) && targets.Count == 0)
                {
                    return null;
                }

                if (seen.Count > maxObjects)
                {
                    return null;
                }

                var obj = heap.GetObject(address);
                if (!obj.IsValid)
                {
                    continue;
                }

                foreach (var next in obj.EnumerateReferenceAddresses(carefully: true, considerDependantHandles: true))
                {
                    if (next != 0 && seen.Add(next))
                    {
                        stack.Push(next);
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return null;
        }

        return waited.First(w => targets.Contains(w.Address));
    }
}
