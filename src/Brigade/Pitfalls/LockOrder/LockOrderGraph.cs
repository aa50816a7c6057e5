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
                CheckOrder(held.Primitive, held.Site, next, site, who, mode);
            }
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                CheckOrder(c.Primitive, c.Site, next, site, who, mode);
            }
        }
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;

    private void CheckOrder(SynchronizationPrimitive held, in CallSite heldSite, SynchronizationPrimitive next, in CallSite nextSite, Holder who, LockOrderMode mode)
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
        var edge = new LockOrderEdge(who.Describe(), held.DescribeSelf(), heldSite.ToPublic(), next.DescribeSelf(), nextSite.ToPublic(), now);
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

            var earlier = FindPathLocked(next.Id, held.Id);
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

            if (refuse is null && _edges.Count < MaxEdges)
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

        if (publish is not null)
        {
            diagnostics.Publish(publish);
        }

        if (refuse is not null)
        {
            throw new LockOrderException(refuse);
        }
    }

    /// <summary>Breadth-first search for recorded orders leading from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private List<LockOrderEdge>? FindPathLocked(int from, int to)
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
                if (!parent.TryAdd(s, id))
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
}
