using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// The lock graph of a compilation: an edge A → B wherever B is taken while A is held, directly or through calls into
/// functions of the compilation. A cycle is a lock-order inversion; each edge on it is reported where its inner lock is
/// taken (or the call that takes it is made). Function summaries arrive concurrently from operation-block actions; the
/// graph is built once, at compilation end. The walk through calls is bounded: each function's closure is computed once
/// (memoised), recursion is cut, and at most <see cref="MaxLocksPerFunction"/> locks are kept per function.
/// Read locks: each edge knows how its outer lock is held and its inner lock taken (<see cref="LockMode"/>). As in
/// Linux's lockdep for recursive readers, a cycle is not an inversion when it passes through a lock taken and held in
/// modes that share it: readers do not wait for each other nor for an upgradeable reader (read–read); read–write and
/// write–write are inversions. A lock held before a call to a function that releases it (a release helper) is not
/// held after the call.
/// </summary>
internal sealed class LockGraph
{
    /// <summary>How many distinct locks a function's closure keeps at most.</summary>
    public const int MaxLocksPerFunction = 64;

    /// <summary>How many calls a path in a message shows at most.</summary>
    public const int MaxPathSteps = 6;

    private readonly ConcurrentDictionary<IMethodSymbol, FunctionSummary> _summaries = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, Dictionary<(LockKey Key, LockMode Mode), Witness>?> _closures = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, HashSet<LockKey>?> _releases = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<(ReleaserChain Link, LockKey Key), bool> _releasedAt = new();
    private readonly Dictionary<IMethodSymbol, bool> _confined = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, HashSet<LockKey>> _ownOnly = new(SymbolEqualityComparer.Default);
    private static readonly HashSet<LockKey> NoLocks = [];

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

                // A lock of an object this thread has just created and not let out: no other thread can hold it, nor
                // wait for it (review 46).
                var stillHeld = e.Held.Where(h => !IsReleased(h) && !IsFreshConfined(h.Fresh)).ToList();
                if (e.Acquired is { } acquired)
                {
                    if (IsHeld(stillHeld, acquired) || IsFreshConfined(e.Fresh))
                    {
                        continue;
                    }

                    foreach (var held in stillHeld)
                    {
                        AddEdges(edges, subtypes, held, acquired, e.Mode, e.Location, summary.Function, null);
                    }
                }
                else if (e.Callee is { } callee && Closure(callee) is { } closure)
                {
                    // Called on an object just created: the locks it takes only of its own instance are that object's.
                    var own = IsFreshConfined(e.Fresh) ? OwnOnly(callee) : NoLocks;
                    foreach (var pair in closure)
                    {
                        if (IsHeld(stillHeld, pair.Key.Key) || own.Contains(pair.Key.Key))
                        {
                            continue;
                        }

                        foreach (var held in stillHeld)
                        {
                            AddEdges(edges, subtypes, held, pair.Key.Key, pair.Key.Mode, e.Location, summary.Function, callee);
                        }
                    }
                }
            }
        }

        if (edges.Count == 0)
        {
            return;
        }

        var successors = new Dictionary<LockKey, List<Step>>();
        foreach (var pair in edges)
        {
            if (!successors.TryGetValue(pair.Key.From, out var list))
            {
                successors[pair.Key.From] = list = new List<Step>();
            }

            foreach (var edge in pair.Value)
            {
                var step = new Step(pair.Key.To, edge.Outer.Mode, edge.TakenMode);
                if (!list.Contains(step))
                {
                    list.Add(step);
                }
            }
        }

        foreach (var pair in edges.OrderBy(p => First(p.Value).Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(p => First(p.Value).Location.SourceSpan.Start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var modes in pair.Value.Select(e => (e.Outer.Mode, e.TakenMode)).Distinct())
            {
                var back = ShortestPath(successors, pair.Key.To, modes.TakenMode, pair.Key.From, modes.Mode);
                if (back is null)
                {
                    continue;
                }

                var reverse = new StringBuilder();
                for (var i = 0; i < back.Count; i++)
                {
                    var from = i == 0 ? pair.Key.To : back[i - 1].To;
                    var edge = edges[(from, back[i].To)].First(e => e.Outer.Mode == back[i].HeldMode && e.TakenMode == back[i].TakenMode);
                    if (reverse.Length > 0)
                    {
                        reverse.Append("; ");
                    }

                    reverse.Append(Describe(edge));
                }

                // Both paths are in the message, with file and line: additional locations would add nothing a reader lacks.
                foreach (var edge in pair.Value.Where(e => e.Outer.Mode == modes.Mode && e.TakenMode == modes.TakenMode))
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
    }

    // A lock taken again while it is held further out (`lock (_a) { lock (_b) { Helper(); } }`, Helper taking `_a`) is
    // re-entry: the thread already owns it and waits for no one, so the locks taken in between are not ordered before
    // it (review 45, vs-threading's JoinableTaskContext). Taken as the same object, as AddEdge takes a lock taken inside
    // itself: another instance of the same field is not told apart.
    private static bool IsHeld(List<HeldLock> held, LockKey key)
    {
        foreach (var h in held)
        {
            if (h.Key.Equals(key) || IsSameThis(h.Key, key))
            {
                return true;
            }
        }

        return false;
    }

    // A lock held before a call to a function that releases it (and does not take it) is free after the call. Each link
    // of a chain is decided once per lock: a method holding a lock across many calls costs one look per call.
    private bool IsReleased(HeldLock held)
    {
        var undecided = new List<ReleaserChain>();
        var released = false;
        for (var link = held.Releasers; link is not null; link = link.Previous)
        {
            if (_releasedAt.TryGetValue((link, held.Key), out var known))
            {
                released = known;
                break;
            }

            undecided.Add(link);
            if (ReleasesOf(link.Method).Contains(held.Key))
            {
                released = true;
                break;
            }
        }

        foreach (var link in undecided)
        {
            _releasedAt[(link, held.Key)] = released;
        }

        return released;
    }

    // The locks a function releases and does not take, itself or through the functions it calls (a helper of a release
    // helper), computed once per function; recursion is cut.
    private HashSet<LockKey> ReleasesOf(IMethodSymbol function)
    {
        if (_releases.TryGetValue(function, out var cached))
        {
            return cached ?? NoLocks;
        }

        if (!_summaries.TryGetValue(function, out var summary))
        {
            _releases[function] = NoLocks;
            return NoLocks;
        }

        _releases[function] = null; // in progress: cuts recursion
        var released = new HashSet<LockKey>(summary.Releases);
        foreach (var e in summary.Events)
        {
            if (e.Callee is { } callee)
            {
                released.UnionWith(ReleasesOf(callee));
            }
        }

        if (released.Count > 0 && Closure(function) is { } taken)
        {
            released.RemoveWhere(key => taken.Keys.Any(t => t.Key.Equals(key)));
        }

        _releases[function] = released;
        return released;
    }

    // Whether an object just created (the methods called on it: see LockEvent.Fresh) stays this thread's: none of them
    // lets `this` out.
    private bool IsFreshConfined(ImmutableArray<IMethodSymbol> fresh)
    {
        if (fresh.IsDefault)
        {
            return false;
        }

        foreach (var method in fresh)
        {
            if (!IsConfined(method))
            {
                return false;
            }
        }

        return true;
    }

    // Whether a function, and every function it calls on `this` (transitively), keeps `this` in: none uses it otherwise
    // than to reach a member, none calls on it a method the compilation does not show. A depth-first walk over calls
    // on `this`: when it finds none letting `this` out, every function it visited keeps it in (what each reaches is
    // among them); when it finds one, the functions on the path to it let it out.
    private bool IsConfined(IMethodSymbol function)
    {
        if (_confined.TryGetValue(function, out var known))
        {
            return known;
        }

        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { function };
        var path = new List<IMethodSymbol>();
        var stack = new Stack<(IMethodSymbol Function, int Next)>();
        stack.Push((function, 0));
        path.Add(function);
        while (stack.Count > 0)
        {
            var (current, next) = stack.Pop();
            path.RemoveAt(path.Count - 1);
            if (_confined.TryGetValue(current, out var decided) ? !decided : LeaksItself(current))
            {
                path.Add(current);
                foreach (var leaking in path)
                {
                    _confined[leaking] = false;
                }

                return false;
            }

            var events = _summaries.TryGetValue(current, out var summary) ? summary.Events : [];
            var i = next;
            while (i < events.Count && !(events[i] is { OnThis: true, Callee: { } callee } && !(_confined.TryGetValue(callee, out var done) && done) && visited.Add(callee)))
            {
                i++;
            }

            if (i < events.Count)
            {
                stack.Push((current, i + 1));
                path.Add(current);
                stack.Push((events[i].Callee!, 0));
                path.Add(events[i].Callee!);
            }
        }

        foreach (var kept in visited)
        {
            _confined[kept] = true;
        }

        return true;
    }

    // A function lets `this` out itself, or is not in the compilation (no summary and no body: it may).
    private bool LeaksItself(IMethodSymbol function) =>
        _summaries.TryGetValue(function, out var summary) ? summary.LeaksThis : function.IsAbstract || function.IsExtern || function.DeclaringSyntaxReferences.IsEmpty;

    // The locks a function, called on an object that stays this thread's, takes only of that object: its own instance's
    // locks, and those of the functions it calls on `this`, less any lock (same key) it may take of another object.
    private HashSet<LockKey> OwnOnly(IMethodSymbol function)
    {
        if (_ownOnly.TryGetValue(function, out var cached))
        {
            return cached;
        }

        var own = new HashSet<LockKey>();
        var other = new HashSet<LockKey>();
        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { function };
        var pending = new Stack<IMethodSymbol>();
        pending.Push(function);
        while (pending.Count > 0)
        {
            if (!_summaries.TryGetValue(pending.Pop(), out var summary))
            {
                continue;
            }

            foreach (var e in summary.Events)
            {
                if (e.Acquired is { } acquired)
                {
                    (e.OnThis ? own : other).Add(acquired);
                }
                else if (e.Callee is { } callee && e.OnThis)
                {
                    if (visited.Add(callee))
                    {
                        pending.Push(callee);
                    }
                }
                else if (e.Callee is { } elsewhere && Closure(elsewhere) is { } closure)
                {
                    other.UnionWith(closure.Keys.Select(k => k.Key));
                }
            }
        }

        own.ExceptWith(other);
        _ownOnly[function] = own;
        return own;
    }

    // Whether a lock held in one mode lets another thread take it in another: readers share with readers and with an
    // upgradeable reader; upgradeable readers, writers and exclusive holders wait for each other.
    private static bool Shares(LockMode taken, LockMode held) =>
        (taken == LockMode.Read && held != LockMode.Exclusive) || (held == LockMode.Read && taken != LockMode.Exclusive);

    private static FunctionSummary Merge(FunctionSummary a, FunctionSummary b)
    {
        var events = new List<LockEvent>(a.Events);
        events.AddRange(b.Events);
        var releases = new HashSet<LockKey>(a.Releases);
        releases.UnionWith(b.Releases);
        return new FunctionSummary(a.Function, events, releases, a.LeaksThis || b.LeaksThis);
    }

    private static Edge First(List<Edge> edges) => edges[0];

    // `this` of a base class, locked in the base's code, is also `this` of each derived class that locks `this`: the
    // edge is added for each of them, so an order in the base and the reverse in a derived class meet.
    private static void AddEdges(
        Dictionary<(LockKey, LockKey), List<Edge>> edges, Dictionary<LockKey, List<LockKey>> subtypes, HeldLock held, LockKey to, LockMode toMode, Location location, IMethodSymbol function, IMethodSymbol? callee)
    {
        var froms = subtypes.TryGetValue(held.Key, out var fromList) ? fromList : [held.Key];
        var tos = subtypes.TryGetValue(to, out var toList) ? toList : [to];
        foreach (var from in froms)
        {
            foreach (var target in tos)
            {
                AddEdge(edges, new Edge(from.Equals(held.Key) ? held : held with { Key = from }, target, location, function, callee, to, toMode));
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

        if (!list.Any(e => e.Location == edge.Location && e.Outer.Mode == edge.Outer.Mode && e.TakenMode == edge.TakenMode))
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

    // Breadth-first: the shortest chain of edges from `from` (entered in a mode) back to `to`, where it must not arrive
    // in a mode that shares the lock with the mode the edge that closes the cycle holds it in; null if none. A state is
    // a lock and the mode the last edge took it in: an edge that holds it in a mode sharing it cannot follow
    // (read–read does not wait).
    private static List<Step>? ShortestPath(Dictionary<LockKey, List<Step>> successors, LockKey from, LockMode fromMode, LockKey to, LockMode toHeldMode)
    {
        var start = (from, fromMode);
        var previous = new Dictionary<(LockKey Key, LockMode Mode), ((LockKey Key, LockMode Mode) State, Step Step)>();
        var seen = new HashSet<(LockKey Key, LockMode Mode)> { start };
        var queue = new Queue<(LockKey Key, LockMode Mode)>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            if (state.Key.Equals(to) && !Shares(state.Mode, toHeldMode))
            {
                var path = new List<Step>();
                for (var current = state; !current.Equals(start); current = previous[current].State)
                {
                    path.Add(previous[current].Step);
                }

                path.Reverse();
                return path;
            }

            if (successors.TryGetValue(state.Key, out var next))
            {
                foreach (var step in next)
                {
                    var reached = (step.To, step.TakenMode);
                    if (!Shares(state.Mode, step.HeldMode) && seen.Add(reached))
                    {
                        previous[reached] = (state, step);
                        queue.Enqueue(reached);
                    }
                }
            }
        }

        return null;
    }

    // Every lock a function may take, directly or through the functions it calls, each with how (a witness), computed
    // once per function. A function met again while its closure is being computed (recursion) contributes nothing more.
    private Dictionary<(LockKey Key, LockMode Mode), Witness>? Closure(IMethodSymbol function)
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
        var closure = new Dictionary<(LockKey Key, LockMode Mode), Witness>();
        foreach (var e in summary.Events)
        {
            if (closure.Count >= MaxLocksPerFunction)
            {
                break;
            }

            if (e.Acquired is { } acquired)
            {
                if (!closure.ContainsKey((acquired, e.Mode)))
                {
                    closure[(acquired, e.Mode)] = new Witness(e.Location, null);
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
        for (var step = 0; step < MaxPathSteps && _closures.TryGetValue(function, out var closure) && closure is not null && closure.TryGetValue((edge.Taken, edge.TakenMode), out var witness); step++)
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

    // To is the lock in the graph; Taken the key the code takes (`this` of a base class, where To is a derived class's);
    // TakenMode how it is taken.
    private sealed record Edge(HeldLock Outer, LockKey To, Location Location, IMethodSymbol Function, IMethodSymbol? Callee, LockKey Taken, LockMode TakenMode);

    // An edge of the graph from some lock to To, with its modes: how the outer lock is held, how To is taken.
    private readonly record struct Step(LockKey To, LockMode HeldMode, LockMode TakenMode);
}
