using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// One walk of the managed heap for the async side of a hang, as <c>dotnet-dump</c>'s <c>dumpasync</c> does: the
/// unfinished tasks and async state machine boxes, what each continues to (<c>m_continuationObject</c>, resolved to the
/// task or box it resumes), the <c>SemaphoreSlim</c>s with their async waiters (a <c>WaitAsync</c> that found no free slot
/// queues a <c>TaskNode</c> in <c>m_asyncHead</c>), and the <c>TaskCompletionSource</c>s with their tasks.
/// </summary>
internal sealed class AsyncHeap
{
    private readonly Dictionary<ulong, List<ulong>> _continuedBy = [];

    private AsyncHeap()
    {
    }

    /// <summary>Gets whether the walk stopped at its object limit: nothing it read may be used.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Gets the unfinished async state machine boxes (suspended async methods), by address.</summary>
    public Dictionary<ulong, ClrObject> Boxes { get; } = [];

    /// <summary>Gets the async method boxes that ended with an exception (review 53: a channel's consumer that threw).</summary>
    public List<ClrObject> FaultedBoxes { get; } = [];

    /// <summary>Gets the other tasks that ended with an exception (review 55: a <c>Task.Run</c> consumer of a
    /// <c>BlockingCollection</c> that threw).</summary>
    public List<ClrObject> FaultedTasks { get; } = [];

    /// <summary>Gets the tasks and async method boxes that were cancelled (review 64c: a semaphore's only releaser, cancelled
    /// before it ran).</summary>
    public List<ClrObject> CancelledTasks { get; } = [];

    /// <summary>Gets the <c>SemaphoreSlim</c>s that have async waiters, by address.</summary>
    public Dictionary<ulong, SemaphoreInfo> Semaphores { get; } = [];

    /// <summary>Gets the semaphore each queued async waiter (<c>SemaphoreSlim+TaskNode</c>) waits on.</summary>
    public Dictionary<ulong, SemaphoreInfo> WaiterOf { get; } = [];

    /// <summary>Gets how many timers (<c>TimerQueueTimer</c>: a <c>System.Threading.Timer</c>, a <c>Task.Delay</c>, a
    /// <c>PeriodicTimer</c>) are scheduled to fire: code that will run, which may release a semaphore.</summary>
    public int ScheduledTimers { get; private set; }

    /// <summary>Gets the channel (<c>BoundedChannel&lt;T&gt;</c>, <c>UnboundedChannel&lt;T&gt;</c>...) each of its waiting
    /// operations belongs to (a blocked <c>WriteAsync</c>, a <c>ReadAsync</c>, a <c>WaitToReadAsync</c>), by the
    /// operation's address: an operation does not refer to its channel, its channel's queues refer to it.</summary>
    public Dictionary<ulong, ClrObject> ChannelOfOperation { get; } = [];

    /// <summary>Gets the channels on the heap (review 58: a loop that is its own channel's only reader).</summary>
    public List<ClrObject> Channels { get; } = [];

    /// <summary>Gets the channels' blocked writes (review 58): each waiting <c>WriteAsync</c> operation whose continuation
    /// is set (an await on it), with its channel.</summary>
    public List<(ClrObject Operation, ClrObject Channel)> BlockedWrites { get; } = [];

    /// <summary>Gets the unfinished tasks that complete only when every task they wait for has (review 57): a
    /// <c>Task.Run</c> of an async delegate's unwrapped task (<c>UnwrapPromise</c>) and <c>Task.WhenAll</c>'s promise.</summary>
    public Dictionary<ulong, ClrObject> Joins { get; } = [];

    /// <summary>Gets the <c>TaskCompletionSource</c> of each task that one owns.</summary>
    public Dictionary<ulong, ClrObject> SourceOf { get; } = [];

    /// <summary>Gets the unfinished tasks (and boxes) whose continuation is <paramref name="task"/>: what it waits for
    /// (for a <c>Task.WhenAll</c>, its unfinished tasks).</summary>
    public IReadOnlyList<ulong> ContinuingTo(ulong task) => _continuedBy.TryGetValue(task, out var list) ? list : [];

    /// <summary>Gets whether an unfinished box continues to another unfinished box (an async method awaiting it): not the
    /// outermost method of its flow.</summary>
    public bool IsAwaitedByAsyncMethod(ulong box) => _resumes.TryGetValue(box, out var next) && next.Exists(Boxes.ContainsKey);

    private readonly Dictionary<ulong, List<ulong>> _resumes = [];

    /// <summary>Gets the unfinished async state machine boxes that <paramref name="task"/>'s completion resumes.</summary>
    public IEnumerable<ulong> ResumedBoxes(ulong task) => _resumes.TryGetValue(task, out var next) ? next.Where(Boxes.ContainsKey) : [];

    /// <summary>Walks the heap once.</summary>
    /// <remarks>Stops after <paramref name="maxObjects"/> objects (<see cref="Truncated"/>): the walk is linear, ~5 s per
    /// 20 M objects, and a partial walk would show flows without their holders.</remarks>
    public static AsyncHeap Read(ClrHeap heap, long maxObjects)
    {
        var result = new AsyncHeap();
        if (!heap.CanWalkHeap)
        {
            return result;
        }

        var kinds = new Dictionary<ClrType, Kind>();
        long seen = 0;
        foreach (var obj in heap.EnumerateObjects())
        {
            if (++seen > maxObjects)
            {
                result.Truncated = true;
                break;
            }

            if (!obj.IsValid || obj.Type is not { } type)
            {
                continue;
            }

            if (!kinds.TryGetValue(type, out var kind))
            {
                kinds[type] = kind = KindOf(type);
            }

            try
            {
                switch (kind)
                {
                    case Kind.Task or Kind.Box when !TaskReader.IsCompleted(obj):
                        if (kind == Kind.Box)
                        {
                            result.Boxes.TryAdd(obj.Address, obj);
                        }
                        else if (type.Name is { } taskType && (taskType.Contains("UnwrapPromise", StringComparison.Ordinal) || taskType.Contains("WhenAllPromise", StringComparison.Ordinal)))
                        {
                            result.Joins.TryAdd(obj.Address, obj);
                        }

                        result.AddContinuations(obj);
                        break;
                    case Kind.Box when TaskReader.IsFaulted(obj):
                        result.FaultedBoxes.Add(obj);
                        break;
                    case Kind.Task when TaskReader.IsFaulted(obj):
                        result.FaultedTasks.Add(obj);
                        break;
                    case Kind.Task or Kind.Box when TaskReader.IsCanceled(obj):
                        result.CancelledTasks.Add(obj);
                        break;
                    case Kind.Semaphore:
                        result.AddSemaphore(obj);
                        break;
                    case Kind.Timer when IsScheduled(obj):
                        result.ScheduledTimers++;
                        break;
                    case Kind.Source when obj.TryReadObjectField("_task", out var task) && !task.IsNull:
                        result.SourceOf.TryAdd(task.Address, obj);
                        break;
                    case Kind.Channel:
                        result.Channels.Add(obj);
                        result.AddChannelOperations(obj);
                        break;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
            {
                // An unreadable object: skipped.
            }
        }

        return result;
    }

    private void AddContinuations(ClrObject task)
    {
        if (!task.TryReadObjectField("m_continuationObject", out var continuation) || continuation.IsNull || !continuation.IsValid)
        {
            return;
        }

        var targets = new List<ulong>();
        if (continuation.Type?.Name?.StartsWith("System.Collections.Generic.List<", StringComparison.Ordinal) == true
            && continuation.TryReadObjectField("_items", out var items) && !items.IsNull && items.IsValid)
        {
            var array = items.AsArray();
            for (var i = 0; i < array.Length; i++)
            {
                if (array.GetObjectValue(i) is { IsNull: false, IsValid: true } item)
                {
                    targets.Add(Resolve(item).Address);
                }
            }
        }
        else
        {
            targets.Add(Resolve(continuation).Address);
        }

        _resumes[task.Address] = targets;
        foreach (var target in targets.Where(t => t != 0))
        {
            if (!_continuedBy.TryGetValue(target, out var list))
            {
                _continuedBy[target] = list = [];
            }

            list.Add(task.Address);
        }
    }

    /// <summary>Follows a continuation object to the task or box it resumes (a box is its own continuation; a
    /// <c>TaskContinuation</c> has <c>m_task</c>; an <c>Action</c> is followed to its target, through the runtime's
    /// <c>ContinuationWrapper</c>).</summary>
    private static ClrObject Resolve(ClrObject continuation)
    {
        if (continuation.Type?.Name?.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) == true)
        {
            return continuation;
        }

        if (continuation.TryReadObjectField("m_task", out var task) && !task.IsNull && task.IsValid)
        {
            return task;
        }

        if (continuation.TryReadObjectField("m_action", out var action) && !action.IsNull && action.IsValid)
        {
            continuation = action;
        }

        if (continuation.TryReadObjectField("_target", out var target) && !target.IsNull && target.IsValid)
        {
            continuation = target;
            if (continuation.Type?.Name == "System.Runtime.CompilerServices.AsyncMethodBuilderCore+ContinuationWrapper"
                && continuation.TryReadObjectField("_continuation", out var inner) && !inner.IsNull && inner.IsValid)
            {
                continuation = inner.TryReadObjectField("_target", out var innerTarget) && !innerTarget.IsNull ? innerTarget : inner;
            }
        }

        return continuation;
    }

    /// <summary>Adds a semaphore a thread waits on synchronously (it has no async waiter, so the walk did not keep it):
    /// the flows that may hold its slot are then looked for (<see cref="AsyncFlows.MayHold"/>).</summary>
    public void AddWaitedSemaphore(ClrObject semaphore)
    {
        if (!Semaphores.ContainsKey(semaphore.Address))
        {
            Semaphores[semaphore.Address] = new SemaphoreInfo(semaphore,
                semaphore.TryReadField<int>("m_currentCount", out var count) ? count : -1,
                semaphore.TryReadField<int>("m_maxCount", out var max) ? max : -1);
        }
    }

    private void AddSemaphore(ClrObject semaphore)
    {
        if (!semaphore.TryReadObjectField("m_asyncHead", out var node) || node.IsNull)
        {
            return;
        }

        var info = new SemaphoreInfo(semaphore,
            semaphore.TryReadField<int>("m_currentCount", out var count) ? count : -1,
            semaphore.TryReadField<int>("m_maxCount", out var max) ? max : -1);
        for (var guard = 0; node.IsValid && !node.IsNull && guard < 100_000; guard++)
        {
            info.AsyncWaiters.Add(node.Address);
            WaiterOf[node.Address] = info;
            node = node.TryReadObjectField("Next", out var next) ? next : default;
        }

        Semaphores[semaphore.Address] = info;
    }

    /// <summary>Review 48: maps the operations a channel keeps (its blocked readers and writers, its waiting readers, its
    /// reusable operations) to it. Follows the channel's own objects only (the channel, its reader and writer, its queues
    /// and their arrays, its operations and their links), not the items it buffers nor what an operation's continuation refers to: whatever
    /// the runtime's version keeps them in (a deque, a linked list).</summary>
    private void AddChannelOperations(ClrObject channel)
    {
        var pending = new Queue<ClrObject>();
        var visited = new HashSet<ulong> { channel.Address };
        pending.Enqueue(channel);
        while (pending.Count > 0 && visited.Count < 10_000)
        {
            var current = pending.Dequeue();
            foreach (var next in current.EnumerateReferences())
            {
                if (next.IsNull || !next.IsValid || next.Type?.Name is not { } name || !visited.Add(next.Address))
                {
                    continue;
                }

                if (name.StartsWith("System.Threading.Channels.", StringComparison.Ordinal) && name.Contains("AsyncOperation", StringComparison.Ordinal))
                {
                    ChannelOfOperation.TryAdd(next.Address, channel);
                    if ((name.Contains("Write", StringComparison.Ordinal) || name.Contains("VoidAsyncOperationWithData", StringComparison.Ordinal)) && next.TryReadObjectField("_continuationState", out var state) && !state.IsNull)
                    {
                        BlockedWrites.Add((next, channel));
                    }

                    pending.Enqueue(next);
                }
                else if ((name.StartsWith("System.Collections.Generic.Deque<System.Threading.Channels.", StringComparison.Ordinal)
                    || (name.StartsWith("System.Threading.Channels.", StringComparison.Ordinal) && (name.EndsWith("[]", StringComparison.Ordinal) || current.Address == channel.Address)))
                    && !current.Type!.Name!.Contains("AsyncOperation", StringComparison.Ordinal))
                {
                    pending.Enqueue(next);
                }
            }
        }
    }

    /// <summary>Whether a <c>TimerQueueTimer</c> is due to fire: not disposed (<c>_canceled</c>) and with a due time
    /// (a fired one-shot timer or one changed to <c>Timeout.Infinite</c> has <c>_dueTime</c> = <c>uint.MaxValue</c>).
    /// Unreadable fields count as scheduled: less said.</summary>
    private static bool IsScheduled(ClrObject timer) =>
        !(timer.TryReadField<bool>("_canceled", out var canceled) && canceled)
        && !(timer.TryReadField<uint>("_dueTime", out var due) && due == uint.MaxValue);

    private static Kind KindOf(ClrType type)
    {
        var name = type.Name ?? "";
        if (name == "System.Threading.TimerQueueTimer")
        {
            return Kind.Timer;
        }

        if (name == "System.Threading.SemaphoreSlim")
        {
            return Kind.Semaphore;
        }

        // Parallel.ForEachAsync's task is its state's, a TaskCompletionSource completed when the last body ends.
        if (name.StartsWith("System.Threading.Tasks.TaskCompletionSource", StringComparison.Ordinal)
            || (name.StartsWith("System.Threading.Tasks.Parallel+", StringComparison.Ordinal) && name.Contains("ForEachAsyncState", StringComparison.Ordinal)))
        {
            return Kind.Source;
        }

        // The channels themselves, not their nested readers and writers (BoundedChannel+BoundedChannelReader<T>).
        if (name.StartsWith("System.Threading.Channels.", StringComparison.Ordinal) && !name.Contains('+', StringComparison.Ordinal)
            && (name.Contains("BoundedChannel<", StringComparison.Ordinal) || name.Contains("UnboundedChannel<", StringComparison.Ordinal)))
        {
            return Kind.Channel;
        }

        if (!WaitRule.DerivesFrom(type, "System.Threading.Tasks.Task"))
        {
            return Kind.Other;
        }

        return name.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) ? Kind.Box : Kind.Task;
    }

    private enum Kind
    {
        Other,
        Task,
        Box,
        Semaphore,
        Source,
        Timer,
        Channel,
    }
}
