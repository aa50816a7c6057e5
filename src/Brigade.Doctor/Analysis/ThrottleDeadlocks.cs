namespace Brigade.Doctor.Analysis;

/// <summary>
/// A throttle held across a blocking wait on work that needs it: threads that took every slot of a <c>SemaphoreSlim</c>
/// (each a running async method past its <c>await WaitAsync()</c> or <c>WaitAsync(token)</c> with its token not cancelled,
/// or a <c>Wait()</c>, by <see cref="AsyncThreadHolders"/>' evidence) and are blocked without a timeout on the task of a
/// <c>Parallel.ForEachAsync</c> some of whose bodies wait in that semaphore's <c>WaitAsync</c>, with no timeout (and no
/// token, or one whose source is not cancelled and has no cancellation timer). The loop needs all its bodies, the bodies
/// need a slot, every slot is held by a thread waiting for such a loop: a possible deadlock (<c>BRG1001</c>; a semaphore
/// records no owner, and a token may still be cancelled), reported only when the slots are all accounted for: as many
/// threads surely holding it as it has slots, all of them waiting so, and no other thread or suspended flow that may hold it.
/// </summary>
internal static class ThrottleDeadlocks
{
    /// <summary>The semaphore of a throttle deadlock, the threads holding its slots (and where they took them), and the
    /// loop bodies each blocked thread waits for that wait on it.</summary>
    internal sealed record Throttle(AsyncSemaphore Semaphore, List<(DiagnosedThread Thread, string At)> Holders, List<(DiagnosedThread Thread, List<AwaitedTask> Bodies)> Waiting)
    {
        /// <summary>Gets whether every waiting flow is a <c>Parallel.ForEachAsync</c>'s body (else some, or all, are flows
        /// a <c>Task.WhenAll</c> joins: <c>Task.WhenAll(items.Select(i => Task.Run(async () => ...))).Wait()</c>).</summary>
        public bool OnlyLoops { get; init; } = true;

        /// <summary>Gets whether some waiting flow is a <c>Parallel.ForEachAsync</c>'s body.</summary>
        public bool AnyLoop { get; init; } = true;

        /// <summary>Gets how many holders asked for their slot with <c>WaitAsync(timeout)</c>: each holds one only if
        /// that wait returned true, which the dump does not keep.</summary>
        public int TimedHolders { get; init; }
    }

    public static List<DeadlockCycle> Find(AsyncFlows async, IReadOnlyList<DiagnosedThread> threads, HashSet<int> inCycles)
    {
        var found = new List<DeadlockCycle>();
        var heap = async.Heap;
        var blocked = threads.Where(t => t.Wait is { Kind: WaitKind.Task, Task: not null } w && !t.IsIdle && !WaitRule.IsTimed(w.Api) && !inCycles.Contains(t.ManagedThreadId))
            .Select(t => (Thread: t, Bodies: NeededFlows(t.Wait!.Task!, 0).Where(f => f.InLoop || t.IsThreadPoolWorker).ToList()))
            .Where(p => p.Bodies.Count > 0)
            .ToList();
        if (blocked.Count == 0)
        {
            return found;
        }

        var holders = async.ThreadHolders;
        var heldByFlows = heap.Boxes.Values.SelectMany(async.MayHold).Select(h => h.Semaphore).ToHashSet();
        foreach (var semaphore in heap.Semaphores.Values.Where(s => s.CurrentCount == 0 && s.MaxCount > 0).OrderBy(s => s.Object.Address))
        {
            var waiting = blocked.Select(p => (p.Thread, Bodies: p.Bodies.Where(b => WaitsForGood(b.Flow, semaphore)).ToList())).Where(p => p.Bodies.Count > 0).ToList();
            if (waiting.Count == 0 || heldByFlows.Contains(semaphore) || waiting.Exists(p => inCycles.Contains(p.Thread.ManagedThreadId)))
            {
                continue;
            }

            // A holder past `if (!await Throttle.WaitAsync(timeout)) return;` holds a slot if its wait returned true, which
            // the dump does not keep: counted, and said so, when it is needed to account for every slot.
            var waiters = waiting.Select(p => p.Thread).ToHashSet();
            var sure = threads.Where(t => !t.IsIdle && t.RunsApplicationCode && (holders.SurelyHolds(t, semaphore) || holders.TimedTakenAt(t, semaphore) is not null)).ToList();
            if (sure.Count != semaphore.MaxCount || !sure.TrueForAll(waiters.Contains)
                || threads.Any(t => !waiters.Contains(t) && !t.IsIdle && t.RunsApplicationCode && holders.Holds(t, semaphore)))
            {
                continue;
            }

            var links = sure.Select((t, i) => new DeadlockLink(t, sure[(i + 1) % sure.Count])).ToList();
            var alsoStuck = waiting.Select(p => p.Thread).Where(t => !sure.Contains(t)).ToList();
            var throttle = new Throttle(semaphore.Public, [.. sure.Select(t => (t, holders.TakenAt(t, semaphore) is { Surely: true } at ? at.At : $"{holders.TimedTakenAt(t, semaphore)}, with WaitAsync(timeout): if that wait returned true"))], [.. waiting.Select(p => (p.Thread, p.Bodies.Select(b => b.Flow).ToList()))])
            {
                OnlyLoops = waiting.TrueForAll(p => p.Bodies.TrueForAll(b => b.InLoop)),
                AnyLoop = waiting.Exists(p => p.Bodies.Exists(b => b.InLoop)),
                TimedHolders = sure.Count(t => !holders.SurelyHolds(t, semaphore)),
            };
            found.Add(new DeadlockCycle(links, alsoStuck) { IsPossible = true, Throttle = throttle });
            inCycles.UnionWith(waiters.Select(t => t.ManagedThreadId));
        }

        return found;
    }

    /// <summary>The flows a blocked thread's task needs: the bodies of the <c>Parallel.ForEachAsync</c> loops down its
    /// chain, and every flow a <c>Task.WhenAll</c> on it joins (it needs them all), followed into their own loops and
    /// joins; each said to be a loop's body or not.</summary>
    private static List<(AwaitedTask Flow, bool InLoop)> NeededFlows(AwaitedTask task, int depth)
    {
        var flows = new List<(AwaitedTask Flow, bool InLoop)>();
        foreach (var step in AsyncFindings.Chain(task))
        {
            flows.AddRange(step.LoopBodies.Select(b => (b, true)));
            if (depth < 8 && step.Description.StartsWith("Task.WhenAll", StringComparison.Ordinal))
            {
                // A joined flow that is neither a loop nor a join itself is one the WhenAll needs as it is (a Task.Run of an
                // async lambda waiting in WaitAsync).
                foreach (var joined in step.AwaitsAll)
                {
                    var inner = NeededFlows(joined, depth + 1);
                    flows.AddRange(inner.Count > 0 ? inner : [(joined, false)]);
                }
            }
        }

        return flows;
    }

    /// <summary>Whether a flow's innermost await is a <c>WaitAsync</c> on <paramref name="semaphore"/> that cannot end by
    /// itself: no timeout, and no token or one only a <c>Cancel</c> call would end.</summary>
    private static bool WaitsForGood(AwaitedTask flow, SemaphoreInfo semaphore) =>
        AsyncFindings.Leaf(flow) is { Semaphore: { CurrentCount: 0 } s } leaf && s.Target.Address == semaphore.Object.Address
        && (!leaf.SemaphoreWaitMayEnd || leaf.SemaphoreWaitEndsOnlyByCancel);
}
