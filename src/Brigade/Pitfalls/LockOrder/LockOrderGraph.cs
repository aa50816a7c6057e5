using System.Collections.Concurrent;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// Lock-order checking, in the spirit of Linux lockdep: every acquisition made while other locks are held records the
/// order "held before acquired"; an acquisition whose order closes a cycle of recorded orders is a potential deadlock,
/// reported with both paths even though nothing hung.
/// </summary>
/// <remarks>
/// Orders are between primitive instances and live as long as the <see cref="PitfallDiagnostics"/> that owns the graph
/// (at most <see cref="MaxEdges"/> orders; beyond that new orders are not recorded). An order already recorded costs
/// one concurrent-dictionary lookup per held lock; only a new order takes the gate.
/// </remarks>
internal sealed class LockOrderGraph(PitfallDiagnostics diagnostics)
{
    public const int MaxEdges = 100_000;

    // Report mode: the new orders of the acquisition under way on this thread, recorded once it is granted (so that an
    // earlier order reads "took" only for an acquisition that happened) and dropped if it is refused as a deadlock,
    // cancelled or times out. Their reports are published once the wait is known not to close a cycle of waiters: a real
    // deadlock is reported as one (BRG1001), not also as a potential one that "did not hang".
    [ThreadStatic]
    private static List<Pending>? t_pending;

    // Orders already recorded, checked without the gate; the value is the report when the order inverted an earlier one
    // (recorded in Report mode), so that Throw mode still refuses it. Written under the gate.
    private readonly ConcurrentDictionary<long, LockOrderReport?> _known = new();

    // Guards _successors, _edges, _reports. A leaf lock: taken with no other Brigade lock held, nothing taken under it.
    private readonly Lock _gate = new();
    private readonly Dictionary<int, List<int>> _successors = [];
    private readonly Dictionary<long, LockOrderEdge> _edges = [];
    private readonly Dictionary<long, LockOrderReport> _reports = [];

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

    /// <summary>Checks the orders an acquisition of <paramref name="next"/> adds, given what the flow holds.</summary>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, when an order is inverted.</exception>
    public void Check(SynchronizationPrimitive next, Holder who, ThreadHolder? thread, AsyncHolder? chain, in CallSite site)
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
                CheckOrder(held.Primitive, held.Site, next, site, who, mode, thread, chain);
            }
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                CheckOrder(c.Primitive, c.Site, next, site, who, mode, thread, chain);
            }
        }
    }

    /// <summary>The acquisition checked last on this thread waits now, and its wait closes no cycle: publish its reports.</summary>
    public static void PublishPending()
    {
        if (t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i].Report is { } report && !pending[i].Published)
            {
                pending[i] = pending[i] with { Published = true };
                pending[i].Graph.Publish(report);
            }
        }
    }

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
            entry.Graph.Record(entry);
            if (entry.Report is { } report && !entry.Published)
            {
                entry.Graph.Publish(report);
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
            PublishPending();
        }

        pending.Clear();
    }

    private void Publish(LockOrderReport report) => diagnostics.Publish(report);

    private void Record(in Pending entry)
    {
        lock (_gate)
        {
            if (_edges.ContainsKey(entry.Key) || _edges.Count >= MaxEdges)
            {
                return;
            }

            _edges[entry.Key] = entry.Edge;
            if (!_successors.TryGetValue(entry.From, out var successors))
            {
                _successors[entry.From] = successors = [];
            }

            successors.Add(entry.To);
            _known[entry.Key] = _reports.GetValueOrDefault(entry.Key);
        }
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;

    private void CheckOrder(SynchronizationPrimitive held, in CallSite heldSite, SynchronizationPrimitive next, in CallSite nextSite, Holder who, LockOrderMode mode, ThreadHolder? thread, AsyncHolder? chain)
    {
        if (ReferenceEquals(held, next) || !ReferenceEquals(held.Diagnostics, diagnostics) || !held.DetectsPitfalls)
        {
            return;
        }

        var key = Key(held.Id, next.Id);
        if (_known.TryGetValue(key, out var knownInversion))
        {
            if (knownInversion is not null && mode == LockOrderMode.Throw)
            {
                throw new LockOrderException(knownInversion);
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
            if (_known.TryGetValue(key, out knownInversion))
            {
                if (knownInversion is not null && mode == LockOrderMode.Throw)
                {
                    throw new LockOrderException(knownInversion);
                }

                return;
            }

            var earlier = FindPathLocked(next.Id, held.Id, null);

            // An earlier path through another lock this flow holds is that lock's inversion, reported on its own; only
            // a path that avoids them is a cycle of its own.
            if (earlier is not null && earlier.Count > 1 && HeldIds(thread, chain, held.Id) is { Count: > 0 } others
                && earlier.Any(e => others.Contains(e.AcquiredId)))
            {
                earlier = FindPathLocked(next.Id, held.Id, others);
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
                (t_pending ??= []).Add(new Pending(this, key, held.Id, next.Id, edge, publish, false));
                deferred = true;
            }
            else if (refuse is null && _edges.Count < MaxEdges)
            {
                _edges[key] = edge;
                if (!_successors.TryGetValue(held.Id, out var successors))
                {
                    _successors[held.Id] = successors = [];
                }

                successors.Add(next.Id);
                _known[key] = earlier is null ? null : _reports[key];
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
    private List<LockOrderEdge>? FindPathLocked(int from, int to, HashSet<int>? avoid)
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
                if ((s != to && avoid?.Contains(s) == true) || !parent.TryAdd(s, id))
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

    private readonly record struct Pending(LockOrderGraph Graph, long Key, int From, int To, LockOrderEdge Edge, LockOrderReport? Report, bool Published);
}
