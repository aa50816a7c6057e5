using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// Lock-order checking, in the spirit of Linux lockdep: every acquisition made while other locks are held records the
/// order "held before acquired"; an acquisition whose order closes a cycle of recorded orders is a potential deadlock,
/// reported with both paths even though nothing hung.
/// </summary>
/// <remarks>
/// <para>In Report mode an acquisition's new orders are recorded once it is granted (see <see cref="CommitPending"/>), and
/// an inversion is not reported when one lock was held exclusively around every acquisition of the cycle's orders (a
/// gate: it serializes them) until an acquisition without it comes.</para>
/// <para>Orders are between primitive instances and live as long as the <see cref="PitfallDiagnostics"/> that owns the graph
/// (at most <see cref="MaxEdges"/> orders; beyond that new orders are not recorded). An order already recorded costs
/// one concurrent-dictionary lookup per held lock (and, for an order seen under gate locks, a check that they are still
/// held); only a new order, or one taken without its gates, takes the gate.</para>
/// </remarks>
internal sealed class LockOrderGraph(PitfallDiagnostics diagnostics)
{
    public const int MaxEdges = 100_000;

    // Report mode: the new orders of the acquisition under way on this thread, recorded once it is granted (so that an
    // earlier order reads "took" only for an acquisition that happened) and dropped if it is refused as a deadlock,
    // cancelled or times out. Their reports are published when the wait ends (granted, cancelled, timed out), unless a
    // deadlock report named the wait meanwhile (a later waiter closed the cycle; see MarkPendingNamed): a real deadlock is
    // reported as one (BRG1001), not also as a potential one that "did not hang". The mark lives on the wait and on these
    // entries, so it ends with them and never reaches a later acquisition in the same order. A wait that lasts past
    // PendingReportGrace publishes them then (a wait that never ends must not hide them), and an awaited wait, which ends
    // on another thread, holds them on its WaitNode (CommitPendingToWait) rather than here (review 32).
    [ThreadStatic]
    private static List<Pending>? t_pending;

    // Orders already recorded, checked without the gate: the report when the order inverted an earlier one (recorded in
    // Report mode), so that Throw mode still refuses it, and the gate locks held at every acquisition seen in this order.
    // Written under the gate.
    private readonly ConcurrentDictionary<long, Known> _known = new();

    // Guards _successors, _edges, _reports, _suppressed. A leaf lock: taken with no other Brigade lock held, nothing taken
    // under it.
    private readonly Lock _gate = new();
    private readonly List<Suppressed> _suppressed = [];
    private readonly Dictionary<int, HashSet<int>> _successors = [];
    private readonly Dictionary<int, HashSet<int>> _predecessors = [];
    private readonly Dictionary<long, LockOrderEdge> _edges = [];
    private readonly Dictionary<long, LockOrderReport> _reports = [];

    // Every primitive an order was checked for, with a tracker whose finalizer queues its id once the primitive is
    // collected: its orders are dropped then (review 38). A program that makes a lock per entity and drops it otherwise
    // filled the graph (about 300 bytes an order) up to MaxEdges, after which no order was recorded and no inversion
    // between live locks reported. A collected primitive can be neither held nor taken again, so no cycle goes through it.
    private readonly ConditionalWeakTable<SynchronizationPrimitive, Tracker> _tracked = [];
    private readonly ConcurrentQueue<int> _collected = new();

    /// <summary>Gets how many orders are recorded.</summary>
    public int EdgeCount
    {
        get
        {
            lock (_gate)
            {
                return _edges.Count;
            }
        }
    }

    /// <summary>Gets how many inversions are kept quiet by a gate (see <see cref="UngatedPathLocked"/>); for tests.</summary>
    internal int SuppressedCount
    {
        get
        {
            lock (_gate)
            {
                return _suppressed.Count;
            }
        }
    }

    /// <summary>Checks the orders an acquisition of <paramref name="next"/> adds, given what the flow holds.</summary>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, when an order is inverted.</exception>
    public void Check(SynchronizationPrimitive next, AccessMode nextMode, Holder who, ThreadHolder? thread, AsyncHolder? chain, in CallSite site)
    {
        var mode = diagnostics.LockOrderMode;
        if (mode == LockOrderMode.Off)
        {
            return;
        }

        if (thread is not null)
        {
            foreach (ref readonly var held in thread.Held)
            {
                CheckOrder(held.Primitive, held.Site, next, site, who, mode, thread, chain, ReadOnly(held.Primitive, held.Mode) && ReadOnly(next, nextMode));
            }
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                CheckOrder(c.Primitive, c.Site, next, site, who, mode, thread, chain, ReadOnly(c.Primitive, c.Mode) && ReadOnly(next, nextMode));
            }
        }
    }

    /// <summary>Publishes the reports of the acquisition checked last on this thread (its wait ended without a grant);
    /// a report whose order a deadlock report named is dropped instead (the deadlock report says more).</summary>
    private static void PublishPending(List<Pending> pending, bool quietly = false)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i].Report is not { } report || pending[i].Published)
            {
                continue;
            }

            pending[i] = pending[i] with { Published = true };
            if (pending[i].Named)
            {
                pending[i].Graph.Unreport(pending[i].Key, report);
            }
            else if (quietly)
            {
                pending[i].Graph.PublishQuietly(report);
            }
            else
            {
                pending[i].Graph.Publish(report);
            }
        }
    }

    /// <summary>The blocking wait that follows the acquisition checked last on this thread ended, and a deadlock report
    /// named it meanwhile (see <see cref="DiscardPendingForDeadlock"/>): its orders from <paramref name="heldIds"/> into
    /// <paramref name="wantedId"/> are not published, whatever the outcome of the wait.</summary>
    public static void MarkPendingNamed(int wantedId, int[] heldIds)
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i].To == wantedId && Array.IndexOf(heldIds, pending[i].From) >= 0)
            {
                pending[i] = pending[i] with { Named = true };
            }
        }
    }

    /// <summary>Whether the acquisition checked last on this thread has inversion reports not yet published.</summary>
    public static bool HasUnpublishedPending()
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return false;
        }

        foreach (var entry in pending)
        {
            if (entry.Report is not null && !entry.Published)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The blocking wait that follows the acquisition checked last on this thread has lasted
    /// <see cref="PendingReportGrace"/> and goes on (review 32): its inversion reports are published now, except those a
    /// deadlock report named meanwhile. A wait that never ends (its lock's holder blocked on something the wait-for graph
    /// does not see) otherwise hung without any report; the orders are still recorded only if the wait is granted.</summary>
    public static void PublishPendingOfLongWait(int wantedId, int[]? namedHeld)
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        if (namedHeld is not null)
        {
            MarkPendingNamed(wantedId, namedHeld);
        }

        // Quietly: the thread is still queued and waits on, so a failure here (a logger that throws) would leave its wait
        // behind in the queue, to be granted a lock nobody releases (review 33).
        PublishPending(pending, quietly: true);
    }

    /// <summary>The awaited acquisition checked last on this thread is queued (review 32): its orders are recorded now, as
    /// <see cref="CommitPending"/> does, but its inversion reports wait on the wait, as a blocking wait's do: published when
    /// it ends or has lasted <see cref="PendingReportGrace"/>, unless a deadlock report named it meanwhile (a later waiter
    /// closed the cycle: the deadlock is reported as one, not also as a potential one that "did not hang").</summary>
    public static void CommitPendingToWait(WaitNode node)
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        var entries = pending.ToArray();
        pending.Clear();
        List<Pending>? held = null;
        foreach (var entry in entries)
        {
            var found = entry.Graph.Record(entry);
            if (entry.Report is not null && !entry.Published)
            {
                (held ??= []).Add(entry);
            }

            if (found is not null)
            {
                entry.Graph.Publish(found);
            }
        }

        if (held is not null && !node.HoldReports(held, node.Primitive.Time, PendingReportGrace))
        {
            // The wait ended meanwhile: settle now.
            SettleHeld(node, held);
        }
    }

    /// <summary>Publishes the inversion reports an awaited wait held (see <see cref="CommitPendingToWait"/>), except
    /// those a deadlock report named; call once the wait ended or its grace passed, with what <see cref="WaitNode"/> gave.</summary>
    public static void SettleHeld(WaitNode node, object held)
    {
        var named = node.InGraph ? WaitForGraph.NamedHeldOf(node) : null;
        foreach (var entry in (List<Pending>)held)
        {
            if (named is not null && entry.To == node.Primitive.Id && Array.IndexOf(named, entry.From) >= 0)
            {
                entry.Graph.Unreport(entry.Key, entry.Report!);
            }
            else
            {
                // Quietly: this runs where the wait ends (a releasing thread, inside its grant, before the awaiter is
                // resumed; a cancellation; the grace timer's thread), where a failure would strand the granted awaiter
                // or end the process (review 33).
                entry.Graph.PublishQuietly(entry.Report!);
            }
        }
    }

    /// <summary>How long a blocking wait keeps its inversion reports back for a deadlock report that may name it.</summary>
    public static readonly TimeSpan PendingReportGrace = TimeSpan.FromSeconds(1);

    /// <summary>The acquisition checked last on this thread was granted (or, for an async wait, queued): record its
    /// orders and publish what is left.</summary>
    public static void CommitPending()
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        var entries = pending.ToArray();
        pending.Clear();
        foreach (var entry in entries)
        {
            var found = entry.Graph.Record(entry);
            if (entry.Report is { } report && !entry.Published && !entry.Named)
            {
                entry.Graph.Publish(report);
            }

            if (found is not null)
            {
                entry.Graph.Publish(found);
            }
        }
    }

    /// <summary>A blocking or queued acquisition on this thread was refused as a deadlock: drop the pending orders whose
    /// held lock is in the cycle (the deadlock report says more), publish the others; and mark the orders of the other
    /// waiters of the cycle, so that their inversion reports are not published when their waits end.</summary>
    /// <param name="cycle">The cycle found by <see cref="WaitForGraph.RegisterAndFindCycle"/>, starting at this thread's wait.</param>
    public static void DiscardPendingForDeadlock(List<(WaitNode Waiter, object Blocker)> cycle)
    {
        var locks = new HashSet<int>();
        foreach (var (waiter, _) in cycle)
        {
            locks.Add(waiter.Primitive.Id);
        }

        // Each step's blocker holds the step's lock and is the next step's waiter: that waiter's order is "the previous
        // step's lock, then its own". A step queued behind another waiter names no held lock: every lock of the cycle is
        // named. The mark is put on the wait itself (read by its thread when the wait ends, then dropped with it).
        var named = new List<(WaitNode, int[])>(cycle.Count - 1);
        for (var i = 1; i < cycle.Count; i++)
        {
            var wanted = cycle[i].Waiter.Primitive;
            var previous = cycle[i - 1];
            named.Add((cycle[i].Waiter, previous.Blocker is Holder && previous.Waiter.Primitive.Id != wanted.Id
                ? [previous.Waiter.Primitive.Id]
                : [.. locks.Where(id => id != wanted.Id)]));
        }

        WaitForGraph.MarkNamed(named);

        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        var entries = pending.ToArray();
        pending.Clear();
        foreach (var entry in entries)
        {
            if (entry.Report is not { } report || entry.Published)
            {
                continue;
            }

            if (locks.Contains(entry.From) && locks.Contains(entry.To))
            {
                entry.Graph.Unreport(entry.Key, report);
            }
            else
            {
                entry.Graph.Publish(report);
            }
        }
    }

    /// <summary>A report that was never published: forget it, so that a later acquisition in that order reports it.</summary>
    private void Unreport(long key, LockOrderReport report)
    {
        lock (_gate)
        {
            if (_reports.TryGetValue(key, out var stored) && ReferenceEquals(stored, report))
            {
                _reports.Remove(key);
            }
        }
    }

    /// <summary>The acquisition checked last on this thread did not happen (refused as a deadlock, cancelled, timed out):
    /// its orders are not recorded; a report already published stands.</summary>
    /// <param name="deadlock">Refused as a deadlock: its inversion reports are dropped too (the deadlock report says more).</param>
    public static void DiscardPending(bool deadlock)
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        if (!deadlock)
        {
            PublishPending(pending);
        }
        else
        {
            foreach (var entry in pending)
            {
                if (entry.Report is { } report && !entry.Published)
                {
                    entry.Graph.Unreport(entry.Key, report);
                }
            }
        }

        pending.Clear();
    }

    private void Publish(LockOrderReport report) => diagnostics.Publish(report);

    /// <summary>Publishes a report where no caller can take a failure of the channel's logger or meter listeners (the
    /// handlers' own are caught there): the report is kept in <see cref="PitfallDiagnostics.Reports"/> before either runs,
    /// and the failure goes nowhere.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "A lock operation that publishes a held report must not fail for its logger.")]
    private void PublishQuietly(LockOrderReport report)
    {
        try
        {
            diagnostics.Publish(report);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
    }

    /// <summary>Records a granted acquisition's order. Orders recorded while it waited may close a cycle with it now
    /// (they were not there at its check): that inversion is returned, to be published.</summary>
    private LockOrderReport? Record(in Pending entry)
    {
        LockOrderReport? found = null;
        lock (_gate)
        {
            DropCollectedLocked();
            if (_edges.ContainsKey(entry.Key) || _edges.Count >= MaxEdges)
            {
                // Recorded meanwhile by another acquisition (checked on its own): an order that was not read-read stays so.
                if (!entry.ReadRead && _known.TryGetValue(entry.Key, out var recorded))
                {
                    recorded.ReadRead = false;
                }

                return null;
            }

            var earlier = entry.Report is null && !_reports.ContainsKey(entry.Key) ? FindPathLocked(entry.To, entry.From, null) : null;
            if (earlier is not null && !CanDeadlockLocked(entry.ReadRead, earlier))
            {
                // The shortest path is all read-read; a longer one with a writing order still closes a real cycle.
                earlier = FindWritingPathLocked(entry.To, entry.From, entry.Others);
            }

            // As at the check: a path through another lock the flow held is that lock's inversion, reported on its own.
            if (earlier is not null && earlier.Count > 1 && entry.Others is { Count: > 0 } others && earlier.Any(e => others.Contains(e.AcquiredId)))
            {
                earlier = FindPathLocked(entry.To, entry.From, others);
            }

            if (earlier is not null && CanDeadlockLocked(entry.ReadRead, earlier) && UngatedPathLocked(entry.Key, entry.Edge, earlier, entry.To, entry.From, entry.Gates, entry.Others, entry.ReadRead) is { } path)
            {
                found = new LockOrderReport(entry.Edge, path, diagnostics.TimeProvider.GetUtcNow());
                _reports[entry.Key] = found;
            }

            AddEdgeLocked(entry.Key, entry.From, entry.To, entry.Edge);
            _known[entry.Key] = new Known(_reports.GetValueOrDefault(entry.Key), entry.Gates) { ReadRead = entry.ReadRead };
        }

        return found;
    }

    /// <summary>The earlier path to report, or null when every path is serialized by a gate this acquisition holds too
    /// (then the inversion is kept in <see cref="_suppressed"/>). A path avoiding the orders taken under the common gates
    /// is looked for before suppressing.</summary>
    private List<LockOrderEdge>? UngatedPathLocked(long key, LockOrderEdge edge, List<LockOrderEdge> earlier, int from, int to, int[]? gateIds, HashSet<int>? others, bool readRead = false)
    {
        var path = earlier;
        HashSet<int>? skip = null;
        while (CommonGates(gateIds, path) is { Length: > 0 } common)
        {
            (skip ??= []).UnionWith(common);
            // Not through another lock the flow holds either: that path is that lock's inversion.
            // For a read-read order, only a path with a writing order in it closes a cycle that can deadlock.
            if ((readRead ? FindWritingPathLocked(from, to, others, skip) : FindPathLocked(from, to, others, skip)) is not { } alternative)
            {
                // Every acquisition of the cycle's orders so far held one same lock exclusively: it serializes them, so
                // they cannot deadlock. Reported if an acquisition without it comes (see NarrowGates). Kept once: an
                // attempt that is never granted (a retry loop with a timeout) checks the same order again each time.
                var suppressed = new Suppressed(key, edge, earlier, CommonGates(gateIds, earlier));
                if (!_suppressed.Exists(suppressed.SameAs))
                {
                    _suppressed.Add(suppressed);
                }

                return null;
            }

            path = alternative;
        }

        return path;
    }

    /// <summary>The ids of the locks the flow holds exclusively (a lock, a write lock) besides the two of an order:
    /// the gates that may serialize it. Null when none.</summary>
    private static int[]? GateIds(ThreadHolder? thread, AsyncHolder? chain, int from, int to)
    {
        List<int>? ids = null;
        if (thread is not null)
        {
            foreach (ref readonly var held in thread.Held)
            {
                if (held.Mode is AccessMode.Exclusive or AccessMode.Write && held.Primitive.Id != from && held.Primitive.Id != to)
                {
                    (ids ??= []).Add(held.Primitive.Id);
                }
            }
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased && c.Mode is AccessMode.Exclusive or AccessMode.Write && c.Primitive.Id != from && c.Primitive.Id != to)
            {
                (ids ??= []).Add(c.Primitive.Id);
            }
        }

        return ids is null ? null : [.. ids.Distinct()];
    }

    private static bool HoldsAll(int[] gates, ThreadHolder? thread, AsyncHolder? chain)
    {
        foreach (var gate in gates)
        {
            var holds = false;
            if (thread is not null)
            {
                foreach (ref readonly var held in thread.Held)
                {
                    holds |= held.Primitive.Id == gate && held.Mode is AccessMode.Exclusive or AccessMode.Write;
                }
            }

            for (var c = chain; c is not null && !holds; c = c.Next)
            {
                holds = !c.IsReleased && c.Primitive.Id == gate && c.Mode is AccessMode.Exclusive or AccessMode.Write;
            }

            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The gates held by this acquisition and by every recorded order of the earlier path.</summary>
    private int[] CommonGates(int[]? gateIds, List<LockOrderEdge> earlier)
    {
        if (gateIds is null)
        {
            return [];
        }

        IEnumerable<int> common = gateIds;
        foreach (var e in earlier)
        {
            var gates = _known.TryGetValue(Key(e.HeldId, e.AcquiredId), out var k) ? k.Gates : null;
            common = common.Intersect(gates ?? []);
        }

        return [.. common];
    }

    /// <summary>An acquisition in a recorded order without all of its gates: keep the gates it held too, and report the
    /// inversions that only those gates had kept quiet.</summary>
    private void NarrowGates(Known known, int[]? held)
    {
        List<LockOrderReport>? publish = null;
        lock (_gate)
        {
            var gates = known.Gates;
            known.Gates = gates is null || held is null ? null : gates.Intersect(held).ToArray() is { Length: > 0 } left ? left : null;
            for (var i = _suppressed.Count - 1; i >= 0; i--)
            {
                var s = _suppressed[i];
                IEnumerable<int> common = s.Gates;
                foreach (var e in s.Path)
                {
                    common = common.Intersect(_known.TryGetValue(Key(e.HeldId, e.AcquiredId), out var k) ? k.Gates ?? [] : []);
                }

                if (_known.TryGetValue(s.Key, out var own))
                {
                    common = common.Intersect(own.Gates ?? []);
                }

                if (common.Any())
                {
                    continue;
                }

                _suppressed.RemoveAt(i);
                if (!_reports.ContainsKey(s.Key))
                {
                    var report = new LockOrderReport(s.Edge, s.Path, diagnostics.TimeProvider.GetUtcNow());
                    _reports[s.Key] = report;
                    if (own is not null)
                    {
                        own.Inversion = report;
                    }

                    (publish ??= []).Add(report);
                }
            }
        }

        foreach (var report in publish ?? [])
        {
            diagnostics.Publish(report);
        }
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;

    /// <summary>Whether <paramref name="mode"/> on <paramref name="primitive"/> is a read of an unfair reader/writer lock:
    /// such a reader waits only for a writer that holds the lock, never for readers or queued writers (review 38).</summary>
    private static bool ReadOnly(SynchronizationPrimitive primitive, AccessMode mode) =>
        mode == AccessMode.Read && primitive.Fairness == LockFairness.Unfair;

    /// <summary>Whether the cycle closed by an order (read-read when <paramref name="readRead"/>) and
    /// <paramref name="path"/> can deadlock: not when every order in it was only ever taken reading while reading unfair
    /// reader/writer locks (no waiter in it can be blocked by the holder it would wait for).</summary>
    private bool CanDeadlockLocked(bool readRead, List<LockOrderEdge> path)
    {
        if (!readRead)
        {
            return true;
        }

        foreach (var e in path)
        {
            if (!_known.TryGetValue(Key(e.HeldId, e.AcquiredId), out var k) || !k.ReadRead)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A recorded order seen only read-read until now is taken otherwise: the cycles through it are checked
    /// again, as for a new order (they were passed over as unable to deadlock).</summary>
    private void Widen(long key, Known known, SynchronizationPrimitive held, SynchronizationPrimitive next, LockOrderMode mode, ThreadHolder? thread, AsyncHolder? chain)
    {
        LockOrderReport? report = null;
        var publish = false;
        lock (_gate)
        {
            if (!known.ReadRead)
            {
                report = known.Inversion;
            }
            else
            {
                known.ReadRead = false;
                report = _reports.GetValueOrDefault(key);
                if (report is null && _edges.TryGetValue(key, out var edge) && FindPathLocked(next.Id, held.Id, null) is { } earlier
                    && UngatedPathLocked(key, edge, earlier, next.Id, held.Id, GateIds(thread, chain, held.Id, next.Id), HeldIds(thread, chain, held.Id)) is { } path)
                {
                    report = new LockOrderReport(edge, path, diagnostics.TimeProvider.GetUtcNow());
                    _reports[key] = report;
                    known.Inversion = report;
                    publish = true;
                }
            }
        }

        if (publish)
        {
            diagnostics.Publish(report!);
        }

        if (report is not null && mode == LockOrderMode.Throw)
        {
            throw new LockOrderException(report);
        }
    }

    private void CheckOrder(SynchronizationPrimitive held, in CallSite heldSite, SynchronizationPrimitive next, in CallSite nextSite, Holder who, LockOrderMode mode, ThreadHolder? thread, AsyncHolder? chain, bool readRead)
    {
        if (ReferenceEquals(held, next) || !ReferenceEquals(held.Diagnostics, diagnostics) || !held.DetectsPitfalls)
        {
            return;
        }

        var key = Key(held.Id, next.Id);
        if (_known.TryGetValue(key, out var known))
        {
            if (known.Inversion is { } knownInversion && mode == LockOrderMode.Throw)
            {
                throw new LockOrderException(knownInversion);
            }

            if (known.Gates is { } gates && !HoldsAll(gates, thread, chain))
            {
                NarrowGates(known, GateIds(thread, chain, held.Id, next.Id));
            }

            if (known.ReadRead && !readRead)
            {
                Widen(key, known, held, next, mode, thread, chain);
            }

            return;
        }

        LockOrderReport? publish = null;
        LockOrderReport? refuse = null;
        var now = diagnostics.TimeProvider.GetUtcNow();
        var edge = new LockOrderEdge(who.Describe(), held.DescribeSelf(), heldSite.ToPublic(), next.DescribeSelf(), nextSite.ToPublic(), now, held.Id, next.Id);
        var deferred = false;
        lock (_gate)
        {
            if (_known.TryGetValue(key, out known))
            {
                if (known.Inversion is { } knownInversion && mode == LockOrderMode.Throw)
                {
                    throw new LockOrderException(knownInversion);
                }

                return;
            }

            DropCollectedLocked();
            Track(held);
            Track(next);
            var earlier = FindPathLocked(next.Id, held.Id, null);

            // An earlier path through another lock this flow holds is that lock's inversion, reported on its own; only
            // a path that avoids them is a cycle of its own.
            if (earlier is not null && earlier.Count > 1 && HeldIds(thread, chain, held.Id) is { Count: > 0 } others
                && earlier.Any(e => others.Contains(e.AcquiredId)))
            {
                earlier = FindPathLocked(next.Id, held.Id, others);
            }

            if (earlier is not null && !CanDeadlockLocked(readRead, earlier))
            {
                // The shortest path is all read-read; a longer one with a writing order still closes a real cycle.
                earlier = FindWritingPathLocked(next.Id, held.Id, HeldIds(thread, chain, held.Id));
            }

            var gateIds = GateIds(thread, chain, held.Id, next.Id);
            if (earlier is not null)
            {
                earlier = UngatedPathLocked(key, edge, earlier, next.Id, held.Id, gateIds, HeldIds(thread, chain, held.Id), readRead);
            }

            if (earlier is not null)
            {
                if (!_reports.TryGetValue(key, out var report))
                {
                    report = new LockOrderReport(edge, earlier, now);
                    _reports[key] = report;
                    publish = report;
                }

                if (mode == LockOrderMode.Throw)
                {
                    // The acquisition does not happen, so its order is not recorded.
                    refuse = report;
                }
            }

            if (refuse is null && mode == LockOrderMode.Report)
            {
                // Recorded (and published) as the acquisition proceeds: see t_pending.
                (t_pending ??= []).Add(new Pending(this, key, held.Id, next.Id, edge, publish, false, gateIds, HeldIds(thread, chain, held.Id), ReadRead: readRead));
                deferred = true;
            }
            else if (refuse is null && _edges.Count < MaxEdges)
            {
                AddEdgeLocked(key, held.Id, next.Id, edge);
                _known[key] = new Known(earlier is null ? null : _reports[key], gateIds) { ReadRead = readRead };
            }
        }

        if (publish is not null && !deferred)
        {
            diagnostics.Publish(publish);
        }

        if (refuse is not null)
        {
            throw new LockOrderException(refuse);
        }
    }

    /// <summary>Records the order <paramref name="from"/> -> <paramref name="to"/> (the caller holds the gate).</summary>
    private void AddEdgeLocked(long key, int from, int to, LockOrderEdge edge)
    {
        _edges[key] = edge;
        if (!_successors.TryGetValue(from, out var successors))
        {
            _successors[from] = successors = [];
        }

        successors.Add(to);
        if (!_predecessors.TryGetValue(to, out var predecessors))
        {
            _predecessors[to] = predecessors = [];
        }

        predecessors.Add(from);
    }

    /// <summary>Watches <paramref name="primitive"/> for collection, once (the caller holds the gate).</summary>
    private void Track(SynchronizationPrimitive primitive)
    {
        if (!_tracked.TryGetValue(primitive, out _))
        {
            _tracked.Add(primitive, new Tracker(_collected, primitive.Id));
        }
    }

    /// <summary>Drops the orders, reports and kept-quiet inversions of the primitives collected since the last call (the
    /// caller holds the gate).</summary>
    private void DropCollectedLocked()
    {
        HashSet<int>? dropped = null;
        while (_collected.TryDequeue(out var id))
        {
            (dropped ??= []).Add(id);
            if (_successors.Remove(id, out var successors))
            {
                foreach (var to in successors)
                {
                    ForgetLocked(Key(id, to));
                    RemoveFrom(_predecessors, to, id);
                }
            }

            if (_predecessors.Remove(id, out var predecessors))
            {
                foreach (var from in predecessors)
                {
                    ForgetLocked(Key(from, id));
                    RemoveFrom(_successors, from, id);
                }
            }
        }

        if (dropped is not null)
        {
            _suppressed.RemoveAll(s => dropped.Contains((int)(s.Key >> 32)) || dropped.Contains((int)s.Key)
                || s.Path.Exists(e => dropped.Contains(e.HeldId) || dropped.Contains(e.AcquiredId)));
        }

        static void RemoveFrom(Dictionary<int, HashSet<int>> map, int key, int id)
        {
            if (map.TryGetValue(key, out var set) && set.Remove(id) && set.Count == 0)
            {
                map.Remove(key);
            }
        }
    }

    private void ForgetLocked(long key)
    {
        _edges.Remove(key);
        _reports.Remove(key);
        _known.TryRemove(key, out _);
    }

    /// <summary>The ids of the other primitives the flow holds (besides <paramref name="except"/>).</summary>
    private static HashSet<int> HeldIds(ThreadHolder? thread, AsyncHolder? chain, int except)
    {
        var ids = new HashSet<int>();
        if (thread is not null)
        {
            foreach (ref readonly var held in thread.Held)
            {
                ids.Add(held.Primitive.Id);
            }
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                ids.Add(c.Primitive.Id);
            }
        }

        ids.Remove(except);
        return ids;
    }

    /// <summary>Breadth-first search for recorded orders leading from <paramref name="from"/> to <paramref name="to"/>,
    /// through none of <paramref name="avoid"/>.</summary>
    private List<LockOrderEdge>? FindPathLocked(int from, int to, HashSet<int>? avoid, HashSet<int>? skipGates = null)
    {
        var parent = new Dictionary<int, int> { [from] = from };
        var pending = new Queue<int>();
        pending.Enqueue(from);
        while (pending.Count > 0)
        {
            var id = pending.Dequeue();
            if (!_successors.TryGetValue(id, out var successors))
            {
                continue;
            }

            foreach (var s in successors)
            {
                if ((s != to && avoid?.Contains(s) == true) || (skipGates is not null && Gated(id, s, skipGates)) || !parent.TryAdd(s, id))
                {
                    continue;
                }

                if (s == to)
                {
                    var path = new List<LockOrderEdge>();
                    for (var at = s; at != from; at = parent[at])
                    {
                        path.Add(_edges[Key(parent[at], at)]);
                    }

                    path.Reverse();
                    return path;
                }

                pending.Enqueue(s);
            }
        }

        return null;
    }

    /// <summary>Breadth-first search, like <see cref="FindPathLocked"/>, for the shortest path of recorded orders from
    /// <paramref name="from"/> to <paramref name="to"/> (through none of <paramref name="avoid"/>) with at least one order
    /// that was not only ever taken read-read: the path a read-read order closes into a cycle that can deadlock, when the
    /// shortest path is all read-read and a longer one writes.</summary>
    private List<LockOrderEdge>? FindWritingPathLocked(int from, int to, HashSet<int>? avoid, HashSet<int>? skipGates = null)
    {
        // A state is a lock and whether the path to it has taken a writing order: (id << 1) | writing.
        static long State(int id, bool writing) => ((long)id << 1) | (writing ? 1L : 0L);

        var start = State(from, false);
        var parent = new Dictionary<long, long> { [start] = start };
        var pending = new Queue<long>();
        pending.Enqueue(start);
        while (pending.Count > 0)
        {
            var state = pending.Dequeue();
            var id = (int)(state >> 1);
            if (!_successors.TryGetValue(id, out var successors))
            {
                continue;
            }

            var writing = (state & 1) != 0;
            foreach (var s in successors)
            {
                if ((s != to && avoid?.Contains(s) == true) || (skipGates is not null && Gated(id, s, skipGates)))
                {
                    continue;
                }

                var next = State(s, writing || !_known.TryGetValue(Key(id, s), out var k) || !k.ReadRead);
                if (!parent.TryAdd(next, state))
                {
                    continue;
                }

                if (s == to && (next & 1) != 0)
                {
                    var path = new List<LockOrderEdge>();
                    for (var at = next; at != start; at = parent[at])
                    {
                        path.Add(_edges[Key((int)(parent[at] >> 1), (int)(at >> 1))]);
                    }

                    path.Reverse();
                    return path;
                }

                if (s != to)
                {
                    pending.Enqueue(next);
                }
            }
        }

        return null;
    }

    /// <summary>Whether the recorded order <paramref name="from"/> -> <paramref name="to"/> was always taken under one of <paramref name="gates"/>.</summary>
    private bool Gated(int from, int to, HashSet<int> gates) =>
        _known.TryGetValue(Key(from, to), out var k) && k.Gates is { } held && held.Any(gates.Contains);

    /// <summary>An order checked for the acquisition under way on this thread. <see cref="Named"/>: a deadlock report named
    /// its wait, so its report is not published.</summary>
    private readonly record struct Pending(LockOrderGraph Graph, long Key, int From, int To, LockOrderEdge Edge, LockOrderReport? Report, bool Published, int[]? Gates, HashSet<int>? Others, bool Named = false, bool ReadRead = false);

    /// <summary>An inversion not reported because one gate lock was held around every acquisition of its cycle.</summary>
    private readonly record struct Suppressed(long Key, LockOrderEdge Edge, List<LockOrderEdge> Path, int[] Gates)
    {
        /// <summary>Whether <paramref name="other"/> suppresses the same order through the same path under the same
        /// gates (the same decision in <see cref="NarrowGates"/>).</summary>
        public bool SameAs(Suppressed other) =>
            other.Key == Key
            && other.Gates.Length == Gates.Length && other.Gates.All(Gates.Contains)
            && other.Path.Count == Path.Count
            && other.Path.Zip(Path).All(p => p.First.HeldId == p.Second.HeldId && p.First.AcquiredId == p.Second.AcquiredId);
    }

    /// <summary>Queues a primitive's id when the primitive is collected (it lives as long as the primitive, in
    /// <see cref="_tracked"/>).</summary>
    private sealed class Tracker(ConcurrentQueue<int> collected, int id)
    {
        ~Tracker() => collected.Enqueue(id);
    }

    /// <summary>A recorded order.</summary>
    private sealed class Known(LockOrderReport? inversion, int[]? gates)
    {
        private volatile LockOrderReport? _inversion = inversion;
        private volatile int[]? _gates = gates;
        private volatile bool _readRead;

        /// <summary>Gets or sets whether every acquisition seen in this order read an unfair reader/writer lock while
        /// reading one (such orders cannot close a deadlock among themselves).</summary>
        public bool ReadRead
        {
            get => _readRead;
            set => _readRead = value;
        }

        /// <summary>Gets or sets the report when this order inverted an earlier one.</summary>
        public LockOrderReport? Inversion
        {
            get => _inversion;
            set => _inversion = value;
        }

        /// <summary>Gets or sets the gate locks held (exclusively) at every acquisition seen in this order; null: none.</summary>
        public int[]? Gates
        {
            get => _gates;
            set => _gates = value;
        }
    }
}
