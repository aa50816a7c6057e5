using System.Collections.Concurrent;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// The lock graph of a compilation: an edge A → B wherever B is taken while A is held, directly or through calls into
/// functions of the compilation. A cycle is a lock-order inversion; each edge on it is reported where its inner lock is
/// taken (or the call that takes it is made). Function summaries arrive concurrently from operation-block actions; the
/// graph is built once, at compilation end. The walk through calls is bounded: each function's closure is computed once
/// (memoised), recursion is cut, and at most <see cref="MaxLocksPerFunction"/> locks are kept per function.
/// </summary>
internal sealed class LockGraph
{
    /// <summary>How many distinct locks a function's closure keeps at most.</summary>
    public const int MaxLocksPerFunction = 64;

    /// <summary>How many calls a path in a message shows at most.</summary>
    public const int MaxPathSteps = 6;

    private readonly ConcurrentDictionary<IMethodSymbol, FunctionSummary> _summaries = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, Dictionary<LockKey, Witness>?> _closures = new(SymbolEqualityComparer.Default);

    /// <summary>Adds a function's summary (from any thread).</summary>
    /// <param name="summary">The summary.</param>
    public void Add(FunctionSummary summary) => _summaries.AddOrUpdate(summary.Function, summary, (_, existing) => Merge(existing, summary));

    /// <summary>Builds the graph and reports every edge of every cycle.</summary>
    /// <param name="report">Receives the diagnostics.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public void Report(Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        var edges = new Dictionary<(LockKey From, LockKey To), List<Edge>>();
        var subtypes = ThisSubtypes();
        foreach (var summary in _summaries.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var e in summary.Events)
            {
                if (e.Held.IsEmpty)
                {
                    continue;
                }

                if (e.Acquired is { } acquired)
                {
                    foreach (var held in e.Held)
                    {
                        AddEdges(edges, subtypes, held, acquired, e.Location, summary.Function, null);
                    }
                }
                else if (e.Callee is { } callee && Closure(callee) is { } closure)
                {
                    foreach (var pair in closure)
                    {
                        foreach (var held in e.Held)
                        {
                            AddEdges(edges, subtypes, held, pair.Key, e.Location, summary.Function, callee);
                        }
                    }
                }
            }
        }

        if (edges.Count == 0)
        {
            return;
        }

        var successors = new Dictionary<LockKey, List<LockKey>>();
        foreach (var pair in edges.Keys)
        {
            if (!successors.TryGetValue(pair.From, out var list))
            {
                successors[pair.From] = list = new List<LockKey>();
            }

            list.Add(pair.To);
        }

        foreach (var pair in edges.OrderBy(p => First(p.Value).Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(p => First(p.Value).Location.SourceSpan.Start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var back = ShortestPath(successors, pair.Key.To, pair.Key.From);
            if (back is null)
            {
                continue;
            }

            var reverse = new StringBuilder();
            for (var i = 0; i + 1 < back.Count; i++)
            {
                var edge = First(edges[(back[i], back[i + 1])]);
                if (reverse.Length > 0)
                {
                    reverse.Append("; ");
                }

                reverse.Append(Describe(edge));
            }

            // Both paths are in the message, with file and line: additional locations would add nothing a reader lacks.
            foreach (var edge in pair.Value)
            {
                report(Diagnostic.Create(
                    Descriptors.BRG2001LockOrderInversion,
                    edge.Location,
                    edge.To.Display,
                    edge.Outer.Key.Display,
                    Describe(edge),
                    reverse.ToString()));
            }
        }
    }

    private static FunctionSummary Merge(FunctionSummary a, FunctionSummary b)
    {
        var events = new List<LockEvent>(a.Events);
        events.AddRange(b.Events);
        return new FunctionSummary(a.Function, events);
    }

    private static Edge First(List<Edge> edges) => edges[0];

    // `this` of a base class, locked in the base's code, is also `this` of each derived class that locks `this`: the
    // edge is added for each of them, so an order in the base and the reverse in a derived class meet.
    private static void AddEdges(
        Dictionary<(LockKey, LockKey), List<Edge>> edges, Dictionary<LockKey, List<LockKey>> subtypes, HeldLock held, LockKey to, Location location, IMethodSymbol function, IMethodSymbol? callee)
    {
        var froms = subtypes.TryGetValue(held.Key, out var fromList) ? fromList : [held.Key];
        var tos = subtypes.TryGetValue(to, out var toList) ? toList : [to];
        foreach (var from in froms)
        {
            foreach (var target in tos)
            {
                AddEdge(edges, new Edge(from.Equals(held.Key) ? held : new HeldLock(from, held.Location), target, location, function, callee, to));
            }
        }
    }

    private static void AddEdge(Dictionary<(LockKey, LockKey), List<Edge>> edges, Edge edge)
    {
        // A lock taken again while held is re-entry (Monitor) or another instance of the same field: not an order.
        // `this` of a type and of its base or derived type are taken as one object.
        if (edge.Outer.Key.Equals(edge.To) || IsSameThis(edge.Outer.Key, edge.To))
        {
            return;
        }

        if (!edges.TryGetValue((edge.Outer.Key, edge.To), out var list))
        {
            edges[(edge.Outer.Key, edge.To)] = list = new List<Edge>();
        }

        if (!list.Any(e => e.Location == edge.Location))
        {
            list.Add(edge);
        }
    }

    private static bool IsSameThis(LockKey a, LockKey b) =>
        a.ThisType is { } first && b.ThisType is { } second && (DerivesFrom(first, second) || DerivesFrom(second, first));

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType?.OriginalDefinition)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    // For each `this` key whose type has derived types that lock `this` too: itself and those types' keys.
    private Dictionary<LockKey, List<LockKey>> ThisSubtypes()
    {
        var keys = new HashSet<LockKey>();
        foreach (var summary in _summaries.Values)
        {
            foreach (var e in summary.Events)
            {
                if (e.Acquired is { ThisType: not null } acquired)
                {
                    keys.Add(acquired);
                }
            }
        }

        var subtypes = new Dictionary<LockKey, List<LockKey>>();
        foreach (var key in keys)
        {
            for (var type = key.ThisType!.BaseType?.OriginalDefinition; type is not null; type = type.BaseType?.OriginalDefinition)
            {
                var baseKey = LockKey.ForThis(type);
                if (keys.Contains(baseKey))
                {
                    if (!subtypes.TryGetValue(baseKey, out var list))
                    {
                        subtypes[baseKey] = list = [baseKey];
                    }

                    list.Add(key);
                }
            }
        }

        return subtypes;
    }

    // Breadth-first: the shortest chain of locks from `from` back to `to`, or null if none.
    private static List<LockKey>? ShortestPath(Dictionary<LockKey, List<LockKey>> successors, LockKey from, LockKey to)
    {
        var previous = new Dictionary<LockKey, LockKey> { [from] = from };
        var queue = new Queue<LockKey>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (node.Equals(to))
            {
                var path = new List<LockKey> { to };
                while (!path[path.Count - 1].Equals(from))
                {
                    path.Add(previous[path[path.Count - 1]]);
                }

                path.Reverse();
                return path;
            }

            if (successors.TryGetValue(node, out var next))
            {
                foreach (var n in next)
                {
                    if (!previous.ContainsKey(n))
                    {
                        previous[n] = node;
                        queue.Enqueue(n);
                    }
                }
            }
        }

        return null;
    }

    // Every lock a function may take, directly or through the functions it calls, each with how (a witness), computed
    // once per function. A function met again while its closure is being computed (recursion) contributes nothing more.
    private Dictionary<LockKey, Witness>? Closure(IMethodSymbol function)
    {
        if (_closures.TryGetValue(function, out var cached))
        {
            return cached;
        }

        if (!_summaries.TryGetValue(function, out var summary))
        {
            _closures[function] = null;
            return null;
        }

        _closures[function] = null; // in progress: cuts recursion
        var closure = new Dictionary<LockKey, Witness>();
        foreach (var e in summary.Events)
        {
            if (closure.Count >= MaxLocksPerFunction)
            {
                break;
            }

            if (e.Acquired is { } acquired)
            {
                if (!closure.ContainsKey(acquired))
                {
                    closure[acquired] = new Witness(e.Location, null);
                }
            }
            else if (e.Callee is { } callee && Closure(callee) is { } inner)
            {
                foreach (var key in inner.Keys)
                {
                    if (!closure.ContainsKey(key) && closure.Count < MaxLocksPerFunction)
                    {
                        closure[key] = new Witness(e.Location, callee);
                    }
                }
            }
        }

        var result = closure.Count == 0 ? null : closure;
        _closures[function] = result;
        return result;
    }

    // "Bank.Transfer holds 'Bank._a' (Bank.cs:10) and takes 'Bank._b' (Bank.cs:11)", or through calls:
    // "... and calls Audit.Log (Bank.cs:12) → Audit.Write (Audit.cs:30), which takes 'Audit._gate' (Audit.cs:40)".
    private string Describe(Edge edge)
    {
        var text = new StringBuilder();
        text.Append(FunctionSummary.NameOf(edge.Function))
            .Append(" holds '").Append(edge.Outer.Key.Display).Append("' (").Append(Operations.ShortPosition(edge.Outer.Location)).Append(')');
        if (edge.Callee is null)
        {
            text.Append(" and takes '").Append(edge.To.Display).Append("' (").Append(Operations.ShortPosition(edge.Location)).Append(')');
            return text.ToString();
        }

        text.Append(" and calls ").Append(FunctionSummary.NameOf(edge.Callee)).Append(" (").Append(Operations.ShortPosition(edge.Location)).Append(')');
        var function = edge.Callee;
        for (var step = 0; step < MaxPathSteps && _closures.TryGetValue(function, out var closure) && closure is not null && closure.TryGetValue(edge.Taken, out var witness); step++)
        {
            if (witness.Callee is null)
            {
                text.Append(", which takes '").Append(edge.To.Display).Append("' (").Append(Operations.ShortPosition(witness.Location)).Append(')');
                return text.ToString();
            }

            text.Append(" → ").Append(FunctionSummary.NameOf(witness.Callee)).Append(" (").Append(Operations.ShortPosition(witness.Location)).Append(')');
            function = witness.Callee;
        }

        text.Append(" → ..., which takes '").Append(edge.To.Display).Append('\'');
        return text.ToString();
    }

    // How a function reaches a lock: taken at Location (Callee null) or through the call at Location to Callee.
    private sealed record Witness(Location Location, IMethodSymbol? Callee);

    // To is the lock in the graph; Taken the key the code takes (`this` of a base class, where To is a derived class's).
    private sealed record Edge(HeldLock Outer, LockKey To, Location Location, IMethodSymbol Function, IMethodSymbol? Callee, LockKey Taken);
}
