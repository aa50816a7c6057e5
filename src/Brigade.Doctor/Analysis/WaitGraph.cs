namespace Brigade.Doctor.Analysis;

/// <summary>
/// The wait-for graph of a snapshot: an edge from each blocked thread to each thread it cannot proceed without (a lock's
/// holder, every reader a writer waits for, a joined thread, the thread running an awaited task). Every such wait needs
/// all of its owners, so any cycle is a deadlock. Cycles are found with Tarjan's strongly connected components; each
/// component with more than one thread (or one thread waiting for itself) yields one reported cycle (the shortest through its lowest thread id), and the
/// threads that wait, directly or not, for a component's threads are stuck behind it.
/// </summary>
internal static class WaitGraph
{
    public static List<(List<int> Cycle, List<int> AlsoStuck)> FindCycles(IReadOnlyDictionary<int, List<int>> edges)
    {
        var components = StronglyConnected(edges);
        var results = new List<(List<int>, List<int>)>();
        // A thread that waits for itself (a UI thread blocked on a continuation queued to its own context) is a cycle of one.
        foreach (var component in components.Where(c => c.Count > 1 || Successors(c[0], edges).Contains(c[0])).OrderBy(c => c.Min()))
        {
            var members = component.ToHashSet();
            var cycle = ShortestCycle(component.Min(), members, edges);
            var stuck = StuckBehind(members, edges).Where(t => !cycle.Contains(t)).OrderBy(t => t).ToList();
            results.Add((cycle, stuck));
        }

        return results;
    }

    private static List<int> ShortestCycle(int start, HashSet<int> members, IReadOnlyDictionary<int, List<int>> edges)
    {
        // Breadth-first from start's successors back to start, inside the component.
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        foreach (var next in Successors(start, edges).Where(members.Contains))
        {
            if (next == start)
            {
                return [start];
            }

            if (previous.TryAdd(next, start))
            {
                queue.Enqueue(next);
            }
        }

        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in Successors(node, edges).Where(members.Contains))
            {
                if (next == start)
                {
                    var path = new List<int> { node };
                    for (var at = node; previous[at] != start; at = previous[at])
                    {
                        path.Add(previous[at]);
                    }

                    path.Add(start);
                    path.Reverse();
                    return path;
                }

                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [.. members.Order()];
    }

    private static HashSet<int> StuckBehind(HashSet<int> members, IReadOnlyDictionary<int, List<int>> edges)
    {
        var stuck = new HashSet<int>(members);
        bool grew;
        do
        {
            grew = false;
            foreach (var (waiter, owners) in edges)
            {
                if (!stuck.Contains(waiter) && owners.Exists(stuck.Contains))
                {
                    stuck.Add(waiter);
                    grew = true;
                }
            }
        }
        while (grew);
        return stuck;
    }

    private static readonly List<int> None = [];

    private static List<int> Successors(int node, IReadOnlyDictionary<int, List<int>> edges) =>
        edges.TryGetValue(node, out var next) ? next : None;

    private static List<List<int>> StronglyConnected(IReadOnlyDictionary<int, List<int>> edges)
    {
        // Iterative Tarjan: a process can have thousands of threads.
        var index = new Dictionary<int, int>();
        var low = new Dictionary<int, int>();
        var onStack = new HashSet<int>();
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var counter = 0;
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(v => v)).Distinct().Order().ToList();
        foreach (var root in nodes)
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            var work = new Stack<(int Node, IEnumerator<int> Next)>();
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack.Add(root);
            work.Push((root, ((IEnumerable<int>)Successors(root, edges)).GetEnumerator()));
            while (work.Count > 0)
            {
                var (node, next) = work.Peek();
                if (next.MoveNext())
                {
                    var successor = next.Current;
                    if (!index.ContainsKey(successor))
                    {
                        index[successor] = low[successor] = counter++;
                        stack.Push(successor);
                        onStack.Add(successor);
                        work.Push((successor, ((IEnumerable<int>)Successors(successor, edges)).GetEnumerator()));
                    }
                    else if (onStack.Contains(successor) && index.TryGetValue(successor, out var successorIndex))
                    {
                        low[node] = Math.Min(low[node], successorIndex);
                    }

                    continue;
                }

                work.Pop();
                next.Dispose();
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == index[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    components.Add(component);
                }
            }
        }

        return components;
    }
}
