namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 57: async methods that await, in a cycle, tasks that complete only when the next one does. No thread is blocked
/// and no flow is outermost (every state machine on the cycle is awaited by another), so neither the wait-for graph of
/// threads nor <see cref="AsyncFindings"/> sees it: <c>Lazy&lt;Task&lt;T&gt;&gt;</c> values whose factories await each other,
/// a flush awaiting <c>Task.WhenAll</c> of a registry that holds its own task, a <c>DisposeAsync</c> awaiting the loop that
/// called it. The graph is read from the heap: an edge from each unfinished async method (or <c>Task.Run</c>'s unwrapped
/// task, or <c>Task.WhenAll</c>'s promise) to each unfinished task whose continuation resumes it. Such an edge is a fact: an
/// await cannot be taken back, an async method's task completes only when the method returns, an unwrapped task only
/// when its inner task does, a <c>WhenAll</c> only when all do. A cycle of such edges alone is a certain deadlock.
/// <para>Two kinds of edge are inferred, and a cycle through one is only possible: from a <c>TaskCompletionSource</c>'s
/// task to the one suspended async method whose code completes that source after the await it is suspended at (another
/// method, a thread or a callback the dump does not show may complete it too), and from a <c>SemaphoreSlim(1, 1)</c>'s
/// queued <c>WaitAsync</c> to the one suspended method that passed its <c>WaitAsync</c> without a <c>Release</c> (the
/// evidence of <see cref="AsyncFlows.MayHold"/>). A <c>Task.WhenAny</c>, a <c>Task.Delay</c>, a timed <c>WaitAsync</c> or
/// anything else ends no edge: it may complete by itself. A method that merely refers to a task (keeps it in a field or
/// a local) has no edge to it.</para>
/// </summary>
internal static class AwaitCycles
{
    /// <summary>What a node of the cycle is.</summary>
    internal enum Node
    {
        Method,
        Join,
        Source,
        SemaphoreWait,

        /// <summary>A <c>WriteAsync</c> waiting for room in a full bounded channel (review 58).</summary>
        ChannelWrite,
    }

    /// <summary>Why a node waits for the next one: it awaits (or joins) it, a fact; the next one is the only method seen
    /// to complete it; the next one is the only method seen to hold its slot (a <c>SemaphoreSlim</c>'s, or a hand-written
    /// async lock's, <see cref="HoldsLock"/>).</summary>
    internal enum Link
    {
        Awaits,
        Completes,
        Holds,
        HoldsLock,

        /// <summary>Review 58: a write waiting for room in a full channel, whose only reader the dump shows is the next
        /// method's flow (it holds the channel's reader across its await).</summary>
        OnlyReader,

        /// <summary>Review 58: a completion source kept in an item buffered in a channel (a request in a mailbox), whose
        /// only reader the dump shows is the next method's flow: it completes the source only once it reads that item.</summary>
        Mailbox,
    }

    /// <summary>One node of a cycle and its link to the next (the last one's to the first).</summary>
    internal sealed record Step(ulong Address, AwaitedTask Task, Node Kind, Link ToNext, string? Evidence);

    /// <summary>A cycle, and the outermost async methods stuck behind it.</summary>
    internal sealed record Cycle(IReadOnlyList<Step> Steps, IReadOnlyList<string> Behind)
    {
        /// <summary>Gets whether a link is inferred (<see cref="Link.Completes"/>, <see cref="Link.Holds"/>).</summary>
        public bool Possible => Steps.Any(s => s.ToNext != Link.Awaits);
    }

    /// <summary>Whether the heap may hold such a cycle, before any IL is read: a certain cycle, an async method awaiting a
    /// completion source's task (which its completer may await back), or a write waiting on a channel (review 58: its
    /// writer may be its only reader).</summary>
    public static bool Worth(AsyncHeap heap)
    {
        var edges = CertainEdges(heap);
        return edges.Values.Any(targets => targets.Exists(heap.SourceOf.ContainsKey)) || heap.BlockedWrites.Count > 0 || Cycles(edges).Count > 0;
    }

    public static List<DeadlockCycle> Find(AsyncFlows async, TaskReader tasks, IReadOnlyList<DiagnosedThread> threads, HashSet<int> inCycles)
    {
        var heap = async.Heap;
        var certain = CertainEdges(heap);
        var inferred = new Dictionary<(ulong From, ulong To), (Link Link, string Evidence)>();

        // A completion source an async method awaits, which exactly one suspended async method would complete once it goes on.
        var awaitedSources = certain.Values.SelectMany(t => t).Where(heap.SourceOf.ContainsKey).ToHashSet();
        foreach (var task in awaitedSources.Order())
        {
            var source = heap.SourceOf[task];
            var completers = heap.Boxes.Values.Select(b => (Box: b.Address, At: async.CompletesLater(b, source.Address))).Where(c => c.At is not null).Take(2).ToList();
            if (completers.Count == 1)
            {
                inferred[(task, completers[0].Box)] = (Link.Completes, Text(completers[0].At!));
            }
        }

        // A SemaphoreSlim(1, 1) an async method waits on, whose slot exactly one suspended async method passed, and that no
        // thread may have taken with Wait().
        if (heap.WaiterOf.Count > 0)
        {
            var holders = new Dictionary<SemaphoreInfo, List<(ulong Box, AwaitSites.Site At)>>();
            foreach (var box in heap.Boxes.Values)
            {
                foreach (var (semaphore, at) in async.MayHold(box))
                {
                    if (!holders.TryGetValue(semaphore, out var list))
                    {
                        holders[semaphore] = list = [];
                    }

                    list.Add((box.Address, at));
                }
            }

            var threadHolders = async.ThreadHolders;
            foreach (var (node, semaphore) in heap.WaiterOf)
            {
                if (semaphore is { MaxCount: 1, CurrentCount: 0 } && holders.TryGetValue(semaphore, out var held) && held.Count == 1
                    && !threads.Any(t => !t.IsIdle && t.RunsApplicationCode && threadHolders.Holds(t, semaphore)))
                {
                    inferred[(node, held[0].Box)] = (Link.Holds, $"await {Text(held[0].At)}");
                }
            }
        }

        // An async lock written by hand (Nito-style: a queue of completion sources, a "taken" flag): a method suspended at
        // `await y.LockAsync()` on a completion source's task that y keeps in its own fields (its queue of waiters), and
        // exactly one suspended method past an await of the same method on the same object, with a Dispose after where it
        // is suspended and none between (the using that releases it has not run).
        foreach (var box in heap.Boxes.Values)
        {
            if (async.FrameOf(box) is not { Site: { Receiver: { } receiver, IsFieldAwait: false } current } frame
                || heap.ContinuingTo(box.Address).FirstOrDefault(heap.SourceOf.ContainsKey) is not (not 0 and var task))
            {
                continue;
            }

            var lockObject = AwaitSites.Resolve(receiver, frame.Type, frame.Address, frame.Interior, async.Domain).Object;
            if (lockObject.IsNull || !Keeps(lockObject, heap.SourceOf[task].Address))
            {
                continue;
            }

            var holders = heap.Boxes.Values.Select(b => (Box: b.Address, At: async.PassedLock(b, current.Callee, lockObject.Address))).Where(h => h.At is not null).Take(2).ToList();
            if (holders.Count == 1)
            {
                inferred[(task, holders[0].Box)] = (Link.HoldsLock, $"await {Text(holders[0].At!)}");
            }
        }

        OwnChannels(async, tasks, certain, inferred);

        var results = new List<DeadlockCycle>();
        foreach (var (found, behind, foundLinks) in Search(certain, inferred.ToDictionary(p => p.Key, p => p.Value.Link)))
        {
            // Read from an async method (the first one on the cycle), not from a task between two.
            var start = Math.Max(0, found.FindIndex(heap.Boxes.ContainsKey));
            List<ulong> cycle = [.. found.Skip(start), .. found.Take(start)];
            List<Link> links = [.. foundLinks.Skip(start), .. foundLinks.Take(start)];
            var steps = cycle.Select((a, i) => new Step(a, Describe(tasks, heap, a), KindOf(heap, a), links[i],
                inferred.TryGetValue((a, cycle[(i + 1) % cycle.Count]), out var l) ? l.Evidence : null)).ToList();
            var stuck = cycle.Concat(behind).ToHashSet();
            var names = behind.Where(b => heap.Boxes.ContainsKey(b) && !heap.IsAwaitedByAsyncMethod(b)).Order()
                .Select(b => async.FrameOf(heap.Boxes[b]) is { } f ? TaskReader.AsyncMethodName(f.Type) : null).OfType<string>().Distinct().ToList();
            var alsoStuck = threads.Where(t => t.Wait is { Kind: WaitKind.Task, Task: { } w } wait && !t.IsIdle && !WaitRule.IsTimed(wait.Api)
                && !inCycles.Contains(t.ManagedThreadId) && Reaches(w, stuck, 0)).ToList();
            results.Add(new DeadlockCycle([], alsoStuck) { IsPossible = links.Exists(k => k != Link.Awaits), AwaitCycle = new Cycle(steps, names) });
        }

        return results;
    }

    /// <summary>
    /// Review 58: a flow that is its own channel's only reader, waiting for what only its next read would bring: a loop
    /// over a bounded channel that awaits <c>WriteAsync</c> to that same full channel (room comes only from a read), and an
    /// actor that, handling a message, awaits the reply to a request it posted to its own mailbox (the request sits in the
    /// channel's buffer, unread). The channel's reader is the flow's when one of its async methods holds it across its
    /// await (the reader itself, or the <c>ReadAllAsync</c> iterator of an <c>await foreach</c>), and no other unfinished
    /// async method and no thread does; a reader held through an object (the flow's <c>this</c>) does not count, since
    /// every method of that object would. The write (an await the heap shows) is a certain edge; the link from it, or from
    /// the queued request's completion source, to the reading flow is inferred: code the dump does not show may read that
    /// channel (or complete that source).
    /// </summary>
    private static void OwnChannels(AsyncFlows async, TaskReader tasks, Dictionary<ulong, List<ulong>> certain, Dictionary<(ulong From, ulong To), (Link Link, string Evidence)> inferred)
    {
        var heap = async.Heap;
        foreach (var channel in heap.Channels)
        {
            if (!channel.TryReadObjectField("<Reader>k__BackingField", out var reader) || reader is not { IsNull: false, IsValid: true })
            {
                continue;
            }

            var readers = heap.Boxes.Values.Where(b => HoldsReader(b, reader.Address) || ReadsInCode(async, b, channel.Address)).Select(b => b.Address).ToList();
            if (readers.Count == 0 || readers.Exists(r => !readers.TrueForAll(other => FlowOf(heap, r).Contains(other) || FlowOf(heap, other).Contains(r))))
            {
                // No flow reads it, or two flows do: not one flow's own channel.
                continue;
            }

            if (tasks.ThreadReferringTo(reader) is not null)
            {
                continue;
            }

            var name = tasks.ChannelName(channel);
            foreach (var (operation, _) in heap.BlockedWrites.Where(w => w.Channel.Address == channel.Address))
            {
                if (!operation.TryReadObjectField("_continuationState", out var writer) || !heap.Boxes.ContainsKey(writer.Address) || !Full(channel))
                {
                    continue;
                }

                var readerBox = readers.Find(FlowOf(heap, writer.Address).Contains);
                if (readerBox == 0)
                {
                    continue;
                }

                Add(certain, writer.Address, operation.Address);
                inferred[(operation.Address, readerBox)] = (Link.OnlyReader, $"it holds the reader of {name}");
            }

            foreach (var (box, awaited) in certain.Where(p => heap.Boxes.ContainsKey(p.Key)).ToList())
            {
                var readerBox = readers.Find(FlowOf(heap, box).Contains);
                if (readerBox == 0)
                {
                    continue;
                }

                foreach (var task in awaited.Where(heap.SourceOf.ContainsKey))
                {
                    if (Buffers(channel, heap.SourceOf[task].Address))
                    {
                        inferred[(task, readerBox)] = (Link.Mailbox, name);
                    }
                }
            }
        }
    }

    /// <summary>A box and the boxes it resumes, outward (the async methods awaiting it, then theirs): one flow.</summary>
    private static HashSet<ulong> FlowOf(AsyncHeap heap, ulong box)
    {
        var flow = new HashSet<ulong> { box };
        var next = new Queue<ulong>([box]);
        while (next.Count > 0 && flow.Count < 64)
        {
            foreach (var outer in heap.ResumedBoxes(next.Dequeue()))
            {
                if (flow.Add(outer))
                {
                    next.Enqueue(outer);
                }
            }
        }

        return flow;
    }

    /// <summary>Whether a suspended async method holds a channel's reader itself: in a field of its state machine (a
    /// hoisted local), or through the <c>ReadAllAsync</c> iterator its <c>await foreach</c> keeps.</summary>
    private static bool HoldsReader(Microsoft.Diagnostics.Runtime.ClrObject box, ulong reader)
    {
        if (TaskReader.MachineOf(box) is not { } machine)
        {
            return false;
        }

        foreach (var field in machine.Type.Fields.Where(f => f.IsObjectReference))
        {
            Microsoft.Diagnostics.Runtime.ClrObject value;
            try
            {
                value = field.ReadObject(machine.Address, machine.Interior);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                continue;
            }

            if (value.IsNull || !value.IsValid)
            {
                continue;
            }

            if (value.Address == reader
                || (value.Type?.Name?.Contains("<ReadAllAsync>", StringComparison.Ordinal) == true && value.TryReadObjectField("<>4__this", out var iterated) && iterated.Address == reader))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a suspended async method's code reads the channel through a field or a static it loads each time
    /// (<c>while (await _jobs.Reader.WaitToReadAsync()) while (_jobs.Reader.TryRead(out var job))</c>): the method's IL
    /// calls a <c>ChannelReader</c> read on <c>x.Reader</c>, and x, read from this state machine now, is the channel.</summary>
    private static bool ReadsInCode(AsyncFlows async, Microsoft.Diagnostics.Runtime.ClrObject box, ulong channel) =>
        async.FrameOf(box) is { Machine.ChannelReads: { Count: > 0 } reads } frame
        && reads.Exists(r => r.Receiver is { } receiver && AwaitSites.Resolve(receiver, frame.Type, frame.Address, frame.Interior, async.Domain).Object.Address == channel);

    /// <summary>Whether a bounded channel holds as many items as its capacity.</summary>
    private static bool Full(Microsoft.Diagnostics.Runtime.ClrObject channel) =>
        channel.TryReadField<int>("_bufferedCapacity", out var capacity) && channel.TryReadObjectField("_items", out var items)
        && items is { IsNull: false, IsValid: true } && items.TryReadField<int>("_size", out var count) && count >= capacity;

    /// <summary>Whether a channel's buffered items refer to <paramref name="target"/> (a request's completion source): from
    /// its <c>_items</c> (a deque's array, a queue's segments and slots) to an item and its fields, a few references deep.</summary>
    private static bool Buffers(Microsoft.Diagnostics.Runtime.ClrObject channel, ulong target) =>
        channel.TryReadObjectField("_items", out var items) && items is { IsNull: false, IsValid: true } && (items.Address == target || Keeps(items, target, 5));

    /// <summary>
    /// The cycles of a graph of awaits: <paramref name="certain"/> edges (a node to what it awaits or joins) and
    /// <paramref name="inferred"/> ones (a completion source's task to its only completer, a semaphore's queued wait to its
    /// only holder), added to the graph on top. Cycles of certain edges alone are found first (a component is reported
    /// once); then the rest, where a cycle through semaphore slots alone (<see cref="Link.Holds"/> and no
    /// <see cref="Link.Completes"/>) is left to <see cref="AsyncFindings"/>, which checks every holder. Each cycle comes
    /// with the nodes stuck behind it and, for each node, its link to the next.
    /// </summary>
    internal static List<(List<ulong> Cycle, List<ulong> Behind, List<Link> Links)> Search(Dictionary<ulong, List<ulong>> certain, IReadOnlyDictionary<(ulong From, ulong To), Link> inferred)
    {
        var all = certain.ToDictionary(p => p.Key, p => new List<ulong>(p.Value));
        foreach (var ((from, to), _) in inferred.OrderBy(p => p.Key))
        {
            Add(all, from, to);
        }

        var found = new List<(List<ulong>, List<ulong>, List<Link>)>();
        var used = new HashSet<ulong>();
        foreach (var edges in new[] { certain, all })
        {
            foreach (var (cycle, behind) in Cycles(edges))
            {
                if (cycle.Exists(used.Contains))
                {
                    continue;
                }

                var links = cycle.Select((a, i) => edges == certain ? Link.Awaits : inferred.GetValueOrDefault((a, cycle[(i + 1) % cycle.Count]), Link.Awaits)).ToList();
                if (links.Contains(Link.Holds) && !links.Contains(Link.Completes))
                {
                    continue;
                }

                used.UnionWith(cycle);
                found.Add((cycle, behind, links));
            }
        }

        return found;
    }

    /// <summary>The facts: each unfinished async method, unwrapped <c>Task.Run</c> task and <c>WhenAll</c> to the
    /// unfinished tasks whose continuation resumes it (what it awaits or joins).</summary>
    private static Dictionary<ulong, List<ulong>> CertainEdges(AsyncHeap heap)
    {
        var edges = new Dictionary<ulong, List<ulong>>();
        foreach (var waiter in heap.Boxes.Keys.Concat(heap.Joins.Keys))
        {
            var awaited = heap.ContinuingTo(waiter).Where(t => t != 0).Distinct().ToList();
            if (awaited.Count > 0)
            {
                edges[waiter] = awaited;
            }
        }

        return edges;
    }

    private static List<(List<ulong> Cycle, List<ulong> Behind)> Cycles(Dictionary<ulong, List<ulong>> edges)
    {
        var ids = new Dictionary<ulong, int>();
        var addresses = new List<ulong>();
        int Id(ulong a)
        {
            if (!ids.TryGetValue(a, out var id))
            {
                ids[a] = id = addresses.Count;
                addresses.Add(a);
            }

            return id;
        }

        var graph = new Dictionary<int, List<int>>();
        foreach (var (from, targets) in edges.OrderBy(p => p.Key))
        {
            graph[Id(from)] = [.. targets.Select(Id)];
        }

        return [.. WaitGraph.FindCycles(graph).Select(c => (c.Cycle.ConvertAll(i => addresses[i]), c.AlsoStuck.ConvertAll(i => addresses[i])))];
    }

    private static void Add(Dictionary<ulong, List<ulong>> edges, ulong from, ulong to)
    {
        if (!edges.TryGetValue(from, out var list))
        {
            edges[from] = list = [];
        }

        if (!list.Contains(to))
        {
            list.Add(to);
        }
    }

    private static Node KindOf(AsyncHeap heap, ulong address) =>
        heap.Boxes.ContainsKey(address) ? Node.Method
        : heap.Joins.ContainsKey(address) ? Node.Join
        : heap.WaiterOf.ContainsKey(address) ? Node.SemaphoreWait
        : heap.BlockedWrites.Exists(w => w.Operation.Address == address) ? Node.ChannelWrite
        : Node.Source;

    /// <summary>The node alone (its description, not the chain it awaits: the cycle lists that). A channel write's stops
    /// before what it says of the channel's reader (the cycle says who that is).</summary>
    private static AwaitedTask Describe(TaskReader tasks, AsyncHeap heap, ulong address)
    {
        var described = tasks.Describe(address);
        var description = described.Description;
        if (heap.BlockedWrites.Exists(w => w.Operation.Address == address) && description.IndexOf("; ", StringComparison.Ordinal) is > 0 and var end)
        {
            description = description[..end];
        }

        return new AwaitedTask(described.Address, description, described.Status, null, described.RunningOnThread, described.ContinuationQueued);
    }

    /// <summary>Whether an object keeps <paramref name="target"/> in its fields, at most three references away (a field, a
    /// collection, its array).</summary>
    private static bool Keeps(Microsoft.Diagnostics.Runtime.ClrObject owner, ulong target, int levels = 3)
    {
        var seen = new HashSet<ulong> { owner.Address };
        var level = new List<Microsoft.Diagnostics.Runtime.ClrObject> { owner };
        for (var depth = 0; depth < levels && level.Count > 0 && seen.Count < 2_000; depth++)
        {
            var next = new List<Microsoft.Diagnostics.Runtime.ClrObject>();
            foreach (var o in level)
            {
                foreach (var r in o.EnumerateReferences())
                {
                    if (r.Address == target)
                    {
                        return true;
                    }

                    if (!r.IsNull && r.IsValid && seen.Add(r.Address))
                    {
                        next.Add(r);
                    }
                }
            }

            level = next;
        }

        return false;
    }

    private static string Text(AwaitSites.Site site) => site.Location is null ? site.Display : $"{site.Display} ({site.Location})";

    /// <summary>Whether a thread's awaited chain reaches a stuck node (into a <c>WhenAll</c>'s tasks, not a <c>WhenAny</c>'s).</summary>
    private static bool Reaches(AwaitedTask task, HashSet<ulong> stuck, int depth)
    {
        for (var t = task; t is not null; t = t.Awaits)
        {
            if (stuck.Contains(t.Address))
            {
                return true;
            }

            if (depth < 8 && t.Description.StartsWith("Task.WhenAll", StringComparison.Ordinal) && t.AwaitsAll.Any(a => Reaches(a, stuck, depth + 1)))
            {
                return true;
            }
        }

        return false;
    }
}
