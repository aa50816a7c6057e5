namespace Brigade.Synchronization;

/// <summary>
/// The wait-for graph over Brigade primitives: a waiting acquisition waits for the holders of what it asked for (and, in
/// a fair reader/writer lock, for the waiters queued ahead of it); a holder is blocked when a flow it belongs to waits.
/// </summary>
/// <remarks>
/// <para>There is no polling. A cycle can only close when a new wait begins, so each wait, once queued, registers here
/// and searches the graph from itself. Registrations and searches are serialized by <see cref="Gate"/>: of the waits
/// that form a cycle, the last to register sees all the others. Only that one is refused.</para>
/// <para>The search is a knot test, not just a cycle test, because a semaphore waiter needs any one permit: it is
/// blocked forever only if every permit holder is. The graph reachable from the new wait is explored; then the set of
/// vertices that can still make progress is grown to a fixed point (a wait on a lock or a write lock is free when all
/// of its blockers are; a wait for a permit when any holder is; a holder when all its waits are). If the new wait is
/// not free and lies on a cycle, it is a deadlock.</para>
/// <para>Why the data read is stable: a holder the search finds blocked is registered, and it cannot unregister while the
/// search holds the gate; a blocked flow cannot release what it holds. Ownership read from a primitive whose owner is
/// running may be stale, but a running owner is free, which ends that branch.</para>
/// </remarks>
internal static class WaitForGraph
{
    /// <summary>
    /// Guards every <see cref="Holder"/>'s waits and every <see cref="WaitNode"/>'s registration, and serializes searches.
    /// Lock order: <c>Gate</c> before a primitive's queue lock (a search snapshots each visited primitive's blockers);
    /// never the reverse. Taken only by a thread about to block and by a waiter leaving, never on the uncontended path.
    /// </summary>
    public static readonly Lock Gate = new();

    private const int MaxExplored = 4096;

    /// <summary>Registers a queued wait and searches for the cycle it closes; if there is one, the wait is unregistered again.</summary>
    /// <returns>The cycle as (waiter, blocker) steps starting at <paramref name="node"/>, or null.</returns>
    public static List<(WaitNode Waiter, object Blocker)>? RegisterAndFindCycle(WaitNode node, Holder[] identities)
    {
        lock (Gate)
        {
            if (node.Finished)
            {
                return null;
            }

            node.Identities = identities;
            foreach (var identity in identities)
            {
                identity.AddWait(node);
            }

            var cycle = FindCycle(node);
            if (cycle is not null)
            {
                // Unregister before anyone else can search, so the same cycle is never reported twice.
                UnregisterLocked(node);
            }

            return cycle;
        }
    }

    /// <summary>Unregisters a wait that ended (granted, timed out, cancelled).</summary>
    public static void Finish(WaitNode node)
    {
        lock (Gate)
        {
            UnregisterLocked(node);
        }
    }

    /// <summary>Marks the waits a deadlock report names with the held locks whose order into their primitive it covers
    /// (see <see cref="WaitNode.NamedHeld"/>). A wait that already ended is not marked: its thread has settled it.</summary>
    public static void MarkNamed(List<(WaitNode Node, int[] HeldIds)> named)
    {
        lock (Gate)
        {
            foreach (var (node, heldIds) in named)
            {
                if (!node.Finished)
                {
                    node.NamedHeld = node.NamedHeld is { } earlier ? [.. earlier.Union(heldIds)] : heldIds;
                }
            }
        }
    }

    /// <summary>Reads <see cref="WaitNode.NamedHeld"/> of a wait still registered, under the graph's lock (a deadlock
    /// report may be marking it).</summary>
    public static int[]? NamedHeldOf(WaitNode node)
    {
        lock (Gate)
        {
            return node.NamedHeld;
        }
    }

    /// <summary>Counts registered waits among <paramref name="holders"/>; for tests.</summary>
    internal static int CountWaits(params Holder[] holders)
    {
        var waits = new List<WaitNode>();
        lock (Gate)
        {
            foreach (var h in holders)
            {
                h.CopyWaits(waits);
            }
        }

        return waits.Count;
    }

    private static void UnregisterLocked(WaitNode node)
    {
        if (node.Finished)
        {
            return;
        }

        node.Finished = true;
        if (node.Identities is { } identities)
        {
            foreach (var identity in identities)
            {
                identity.RemoveWait(node);
            }

            node.Identities = null;
        }
    }

    private static List<(WaitNode Waiter, object Blocker)>? FindCycle(WaitNode target)
    {
        // 1. Explore what the new wait (transitively) waits for, snapshotting each wait's blockers.
        var waits = new Dictionary<WaitNode, WaitVertex>(ReferenceEqualityComparer.Instance);
        var holders = new Dictionary<Holder, HolderVertex>(ReferenceEqualityComparer.Instance);
        var pending = new Queue<WaitNode>();
        waits[target] = new WaitVertex();
        pending.Enqueue(target);
        while (pending.Count > 0)
        {
            if (waits.Count + holders.Count > MaxExplored)
            {
                return null;
            }

            var node = pending.Dequeue();
            var vertex = waits[node];
            vertex.Free = !node.Primitive.SnapshotBlockers(node, vertex.Blockers, out vertex.AnyOf) || vertex.Blockers.Count == 0;
            foreach (var blocker in vertex.Blockers)
            {
                if (blocker is WaitNode ahead)
                {
                    if (waits.TryAdd(ahead, new WaitVertex()))
                    {
                        pending.Enqueue(ahead);
                    }
                }
                else if (blocker is Holder holder && !holders.ContainsKey(holder))
                {
                    var hv = new HolderVertex();
                    holder.CopyWaits(hv.Waits);
                    holders[holder] = hv;
                    foreach (var wait in hv.Waits)
                    {
                        if (waits.TryAdd(wait, new WaitVertex()))
                        {
                            pending.Enqueue(wait);
                        }
                    }
                }
            }
        }

        // 2. Grow the set of vertices that can still make progress to a fixed point.
        bool changed;
        do
        {
            changed = false;
            foreach (var hv in holders.Values)
            {
                if (!hv.Free && hv.Waits.TrueForAll(w => waits[w].Free))
                {
                    hv.Free = true;
                    changed = true;
                }
            }

            foreach (var vertex in waits.Values)
            {
                if (vertex.Free)
                {
                    continue;
                }

                var free = vertex.AnyOf ? vertex.Blockers.Exists(IsFree) : vertex.Blockers.TrueForAll(IsFree);
                if (free)
                {
                    vertex.Free = true;
                    changed = true;
                }
            }
        }
        while (changed);

        if (waits[target].Free)
        {
            return null;
        }

        // 3. The new wait is blocked forever: report it only if it closes a cycle (a wait behind someone else's knot
        // did not form it; that knot was refused when it formed, unless its primitives do not detect).
        var path = new List<(WaitNode, object)>();
        var visited = new HashSet<WaitNode>(ReferenceEqualityComparer.Instance);
        return Search(target) ? path : null;

        bool IsFree(object blocker) => blocker switch
        {
            WaitNode w => waits[w].Free,
            Holder h => holders[h].Free,
            _ => true,
        };

        bool Search(WaitNode node)
        {
            visited.Add(node);
            foreach (var blocker in waits[node].Blockers)
            {
                if (IsFree(blocker))
                {
                    continue;
                }

                var nextWaits = blocker is WaitNode ahead ? [ahead] : holders[(Holder)blocker].Waits;
                foreach (var next in nextWaits)
                {
                    if (waits[next].Free)
                    {
                        continue;
                    }

                    path.Add((node, blocker));
                    if (ReferenceEquals(next, target) || (!visited.Contains(next) && Search(next)))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return false;
        }
    }

    /// <summary>Builds the report of a cycle found by <see cref="RegisterAndFindCycle"/>. Outside every lock.</summary>
    public static DeadlockReport BuildReport(WaitNode victim, List<(WaitNode Waiter, object Blocker)> cycle)
    {
        var edges = new List<DeadlockEdge>(cycle.Count);
        foreach (var (waiter, blocker) in cycle)
        {
            string owner;
            AcquisitionSite? ownerSite;
            if (blocker is Holder holder)
            {
                owner = cycle.Count == 1 ? $"{holder.Describe()} itself" : holder.Describe();
                ownerSite = holder.SiteOf(waiter.Primitive).ToPublic();
            }
            else
            {
                var ahead = (WaitNode)blocker;
                owner = $"{ahead.Holder.Describe()}, queued ahead of it for {ahead.Primitive.Describe(ahead.Mode)}";
                ownerSite = null;
            }

            edges.Add(new DeadlockEdge(waiter.Holder.Describe(), waiter.Primitive.Describe(waiter.Mode), waiter.Site.ToPublic(), owner, ownerSite));
        }

        return new DeadlockReport(edges, Advice(victim, cycle), victim.Primitive.Diagnostics.TimeProvider.GetUtcNow());
    }

    private static string Advice(WaitNode victim, List<(WaitNode Waiter, object Blocker)> cycle)
    {
        if (cycle.Count == 1 && cycle[0].Blocker is Holder self)
        {
            if (victim.Mode == AccessMode.Write && self is ThreadHolder t && t.Holds(victim.Primitive, AccessMode.Read))
            {
                return "A read lock cannot be upgraded: release the read lock before taking the write lock (two readers that both upgrade wait for each other forever).";
            }

            if (victim.Mode == AccessMode.Write && self is AsyncHolder { Mode: AccessMode.Read } reader && ReferenceEquals(reader.Primitive, victim.Primitive))
            {
                return "A read lock cannot be upgraded: release the read lock before taking the write lock (two readers that both upgrade wait for each other forever).";
            }

            return self is AsyncHolder && !ReferenceEquals(self, victim.Holder)
                ? "Brigade locks are not reentrant, and a task or thread started while a lock is held belongs to the holding flow: release the lock first, or start the task without flowing the execution context (ExecutionContext.SuppressFlow)."
                : "Brigade locks are not reentrant: release the lock before taking it again, or restructure so the inner code does not take it.";
        }

        return "The other waiters keep waiting: release what this flow holds (dispose its scopes) and retry, or take the locks in one global order so no cycle can form.";
    }

    private sealed class WaitVertex
    {
        public readonly List<object> Blockers = [];
        public bool AnyOf;
        public bool Free;
    }

    private sealed class HolderVertex
    {
        public readonly List<WaitNode> Waits = [];
        public bool Free;
    }
}
