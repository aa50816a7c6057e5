using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Reads tasks and the thread pool's queues from the dump: what a task is (an async method and the await it is
/// suspended at, <c>Task.Delay</c>, a <c>TaskCompletionSource</c>'s task, <c>Task.Run</c>), what it awaits in turn,
/// and which work items wait in the pool's global and per-thread queues.
/// </summary>
internal sealed class TaskReader(RuntimeReader reader)
{
    private const int MaxChain = 12;

    // From System.Threading.Tasks.Task's m_stateFlags.
    private const int TaskStarted = 0x00010000;
    private const int TaskDelegateInvoked = 0x00020000;
    private const int TaskFaulted = 0x00200000;
    private const int TaskCanceled = 0x00400000;
    private const int PromiseTask = 0x00000400;
    private const int TaskRanToCompletion = 0x01000000;
    private const int TaskWaitingForActivation = 0x02000000;

    private HashSet<ulong> _queued = [];
    private bool _timerQueued;

    // Review 61: the channel whose dead writers the async iterator being described has named (0: none).
    private ulong _writersSaidOf;
    private Dictionary<ulong, int> _running = [];

    /// <summary>Gets or sets the async side of the heap (semaphores, completion sources, await sites), when it was read.</summary>
    public AsyncFlows? Async { get; set; }

    /// <summary>Gets the addresses of the queued work items.</summary>
    public IReadOnlyCollection<ulong> Queued => _queued;

    /// <summary>Reads the pool's queues; returns the queued items' descriptions (null when the queues could not be found).</summary>
    public List<string>? ReadPoolQueues()
    {
        var items = new List<ClrObject>();
        var pool = reader.CoreLib?.GetTypeByName("System.Threading.ThreadPool");
        var domain = reader.Domain;
        var queueField = pool?.GetStaticFieldByName("s_workQueue");
        if (queueField is null || domain is null)
        {
            return null;
        }

        ClrObject workQueue;
        try
        {
            workQueue = queueField.ReadObject(domain);
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        if (!workQueue.IsValid || workQueue.IsNull || workQueue.Type is not { } queueType)
        {
            return null;
        }

        foreach (var field in queueType.Fields)
        {
            if (!field.IsObjectReference || field.Type?.Name is not { } typeName)
            {
                continue;
            }

            if (typeName.StartsWith("System.Collections.Concurrent.ConcurrentQueue<", StringComparison.Ordinal))
            {
                if (!typeName.EndsWith("[]", StringComparison.Ordinal))
                {
                    ReadConcurrentQueue(field.ReadObject(workQueue.Address, interior: false), items);
                }
                else if (field.ReadObject(workQueue.Address, interior: false) is { IsNull: false, IsValid: true } array)
                {
                    var queues = array.AsArray();
                    for (var i = 0; i < queues.Length; i++)
                    {
                        ReadConcurrentQueue(queues.GetObjectValue(i), items);
                    }
                }
            }
        }

        // Per-thread (work-stealing) queues: where a pool thread puts the work it queues itself, e.g. Task.Run from a work item.
        var stealing = reader.CoreLib?.GetTypeByName("System.Threading.ThreadPoolWorkQueue+WorkStealingQueueList")?.GetStaticFieldByName("s_queues");
        if (stealing is not null)
        {
            try
            {
                var lists = stealing.ReadObject(domain);
                if (lists.IsValid && !lists.IsNull)
                {
                    var queues = lists.AsArray();
                    for (var i = 0; i < queues.Length; i++)
                    {
                        if (queues.GetObjectValue(i) is { IsNull: false, IsValid: true } local && local.TryReadObjectField("m_array", out var slots) && !slots.IsNull)
                        {
                            var array = slots.AsArray();
                            for (var j = 0; j < array.Length; j++)
                            {
                                if (array.GetObjectValue(j) is { IsNull: false, IsValid: true } item)
                                {
                                    items.Add(item);
                                }
                            }
                        }
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // No per-thread queues readable: the global queue's count stands alone.
            }
        }

        _queued = items.Select(i => i.Address).ToHashSet();
        _timerQueued = items.Exists(i => i.Type?.Name == "System.Threading.TimerQueue");
        return items.Select(DescribeWorkItem).ToList();
    }

    /// <summary>Records which thread runs which task, so a waited task can be traced to its thread.</summary>
    public void SetRunning(IEnumerable<ThreadScan> threads)
    {
        _running = [];
        foreach (var thread in threads)
        {
            foreach (var task in thread.RunningTasks)
            {
                _running.TryAdd(task, thread.ManagedId);
            }
        }
    }

    /// <summary>Describes a waited task and the chain of unfinished tasks it awaits.</summary>
    public AwaitedTask Describe(ClrObject task) => Describe(task, 0, []);

    /// <summary>Describes the task at <paramref name="address"/> and the chain it awaits.</summary>
    public AwaitedTask Describe(ulong address) => Describe(reader.Heap.GetObject(address), 0, []);

    /// <summary>Gets whether the task has finished (ran to completion, faulted or was cancelled).</summary>
    public static bool IsCompleted(ClrObject task) =>
        task.TryReadField<int>("m_stateFlags", out var flags) && (flags & (TaskRanToCompletion | TaskFaulted | TaskCanceled)) != 0;

    /// <summary>Gets whether the task ended with an exception.</summary>
    public static bool IsFaulted(ClrObject task) => task.TryReadField<int>("m_stateFlags", out var flags) && (flags & TaskFaulted) != 0;

    /// <summary>Review 64c: gets whether the task was cancelled (its <c>m_stateFlags</c>' cancelled bit).</summary>
    public static bool IsCanceled(ClrObject task) => task.TryReadField<int>("m_stateFlags", out var flags) && (flags & TaskCanceled) != 0;

    /// <summary>Review 64c: gets whether the task is a promise (<c>InternalTaskOptions.PromiseTask</c>: a
    /// <c>TaskCompletionSource</c>'s, an async method's), never a delegate's.</summary>
    public static bool IsPromise(ClrObject task) => task.TryReadField<int>("m_stateFlags", out var flags) && (flags & PromiseTask) != 0;

    /// <summary>Review 64c: the exception a task cancelled while it ran holds (<c>OperationCanceledException</c>, with its
    /// stack; kept as is or in an <c>ExceptionDispatchInfo</c>), or null.</summary>
    internal static ClrObject? CancellationExceptionOf(ClrObject task) =>
        task.TryReadObjectField("m_contingentProperties", out var props) && props is { IsNull: false, IsValid: true }
        && props.TryReadObjectField("m_exceptionsHolder", out var holder) && holder is { IsNull: false, IsValid: true }
        && holder.TryReadObjectField("m_cancellationException", out var cancellation) && cancellation is { IsNull: false, IsValid: true }
        && (cancellation.Type?.IsException == true ? cancellation
            : cancellation.TryReadObjectField("_exception", out var inner) ? inner : default) is { IsNull: false, IsValid: true } exception
            ? exception : null;

    private AwaitedTask Describe(ClrObject task, int depth, HashSet<ulong> seen)
    {
        seen.Add(task.Address);
        var typeName = task.Type?.Name ?? "?";
        var status = Status(task);
        AwaitedTask? awaits = null;
        var resumptionPending = false;
        AsyncSemaphore? semaphore = null;
        List<AwaitedTask> joined = [];
        string description;
        var timedSemaphoreWait = false;
        var endsOnlyByCancel = false;
        List<AwaitedTask> bodies = [];

        // A delegate task whose delegate was invoked, or an async method's box between two awaits (state -1: its MoveNext
        // runs), is running on some thread now, seen or not.
        var runningNow = status == "Running";
        if (typeName.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) && Async is not null && TimedSemaphoreWait(task) is { } timed)
        {
            // SemaphoreSlim.WaitAsync(timeout or token) awaits the runtime's WaitUntilCountOrTimeoutAsync over its queued waiter.
            semaphore = timed.Semaphore.Public;
            timedSemaphoreWait = true;
            endsOnlyByCancel = timed.OnlyByCancel;
            description = $"SemaphoreSlim.WaitAsync {timed.Limit} on {semaphore}";
        }
        else if (typeName.Contains("AsyncStateMachineBox<", StringComparison.Ordinal))
        {
            var (method, state, awaited, yielding, pending) = ReadStateMachine(task);
            resumptionPending = pending;
            runningNow = state == -1 && !IsCompleted(task);
            var at = state >= 0 && Async?.AwaitText(task) is { } text ? $": {text}" : "";
            description = state >= 0 ? $"async method {method} (suspended at await #{state}{at})" : $"async method {method}";
            if (at.Contains("ConnectionWaiter.WaitForConnectionAsync", StringComparison.Ordinal) && HttpConnectionLimit(task) is { } limit)
            {
                description += limit;
            }
            if (awaited is { } inner && depth < MaxChain && !seen.Contains(inner.Address))
            {
                awaits = Describe(inner, depth + 1, seen);
            }
            else if (yielding)
            {
                description += " at Task.Yield()";
            }
        }
        else if (Async?.Heap.WaiterOf.TryGetValue(task.Address, out var waitedOn) == true)
        {
            semaphore = waitedOn.Public;
            description = $"SemaphoreSlim.WaitAsync on {semaphore}";
        }
        else if (typeName.Contains("DelayPromise", StringComparison.Ordinal))
        {
            // Timers fire from a work item on the thread pool: while it waits in the queue, no delay ends.
            description = _timerQueued ? "Task.Delay (timers fire on the thread pool, and the timer work item is queued)" : "Task.Delay";
        }
        else if (typeName.Contains("WhenAllPromise", StringComparison.Ordinal))
        {
            description = "Task.WhenAll";
            joined = Joined(task, depth, seen);
        }
        else if (typeName.Contains("WhenAnyPromise", StringComparison.Ordinal) || typeName.Contains("TwoTaskWhenAnyPromise", StringComparison.Ordinal))
        {
            description = "Task.WhenAny";
            joined = Joined(task, depth, seen);
        }
        else if (typeName.Contains("UnwrapPromise", StringComparison.Ordinal))
        {
            // Task.Run(async () => ...) and Unwrap(): the promise completes when the async method's task does.
            description = "Task.Run of an async delegate (its unwrapped task)";
            if (Async?.Heap.ContinuingTo(task.Address).FirstOrDefault(a => !seen.Contains(a)) is { } inner and not 0 && depth < MaxChain)
            {
                awaits = Describe(reader.Heap.GetObject(inner), depth + 1, seen);
            }
        }
        else if (task.TryReadObjectField("m_action", out var action) && !action.IsNull && action.IsValid)
        {
            // A delegate task on a scheduler of the program's own (a serial executor, a ConcurrentExclusiveSchedulerPair)
            // is no Task.Run: name the scheduler, which alone decides when (and on which thread) it runs.
            description = CustomScheduler(task) is { } scheduler
                ? $"a task on {scheduler} ({DelegateMethod(action)}){(status == "WaitingToRun" ? ", queued there, not started" : "")}"
                : $"Task.Run({DelegateMethod(action)})";
        }
        else if (Async?.Heap.SourceOf.TryGetValue(task.Address, out var source) == true)
        {
            var holder = reader.FindHolder(source, []);
            var loop = source.Type?.Name is { } sourceType && sourceType.StartsWith("System.Threading.Tasks.Parallel+", StringComparison.Ordinal) && sourceType.Contains("ForEachAsyncState", StringComparison.Ordinal);
            description = loop
                ? "the task of a Parallel.ForEachAsync, which completes when its last body has ended (its bodies are async flows: a body awaiting something that never comes, or blocked, holds it up)"
                : $"the task of a TaskCompletionSource that nothing has completed yet: {source.Type?.Name ?? "?"}{(holder is null ? "" : $" ({holder})")}";
            if (loop && depth < MaxChain)
            {
                // Its workers: the unfinished async methods whose state machine holds the loop's state; each awaits a body.
                bodies = [.. Async!.Heap.Boxes.Values.Where(b => !seen.Contains(b.Address) && References(b, source.Address)).OrderBy(b => b.Address).Take(100)
                    .Select(b => Describe(b, depth + 1, seen))];
            }
        }
        else if (typeName is "System.Threading.Tasks.Task" || typeName.StartsWith("System.Threading.Tasks.Task<", StringComparison.Ordinal))
        {
            description = "a task completed by code (a TaskCompletionSource's, or similar) that nothing has completed yet";
        }
        else if (typeName == "System.Threading.Tasks.ValueTask+ValueTaskSourceAsTask" && task.TryReadObjectField("_source", out var valueSource)
            && valueSource is { IsNull: false, IsValid: true, Type.Name: { } sourceName })
        {
            // A ValueTask's AsTask() over an IValueTaskSource: say whose operation it is (a channel's, a socket's...).
            description = ValueTaskSource(sourceName) + ChannelOfOperation(valueSource, sourceName);
        }
        else if (IsAsyncIterator(task.Type))
        {
            // Review 46: `await foreach` awaits the async iterator's MoveNextAsync(), a ValueTask over the iterator itself
            // (no task): name the iterator, the await it is suspended at and, for a channel's ReadAllAsync, the channel.
            var machine = (task.Type!, task.Address, false, task.Type!.GetFieldByName("<>1__state") is { } stateField ? stateField.Read<int>(task.Address, false) : -1);
            var (method, state, awaited, _, _) = ReadMachine(machine);
            description = $"async iterator {method}{(state >= 0 ? $" (suspended at await #{state})" : "")}";
            if (ChannelOf(task) is { } channel)
            {
                var holder = reader.FindHolder(channel, []);
                var done = channel.TryReadObjectField("_doneWriting", out var doneWriting) && !doneWriting.IsNull;
                description += $", reading {channel.Type?.Name ?? "a Channel"}{(holder is null ? "" : $" ({holder})")}: waiting for an item"
                    + (done ? "" : " (it ends when a writer writes one, or completes the channel with Writer.Complete(): the loop then ends)" + DeadWriters(channel));
            }

            if (awaited is { } inner && depth < MaxChain && !seen.Contains(inner.Address))
            {
                // The iterator's own wait on the channel (its WaitToReadAsync) says nothing more of the writers.
                _writersSaidOf = ChannelOf(task)?.Address ?? 0;
                awaits = Describe(inner, depth + 1, seen);
                _writersSaidOf = 0;
            }
        }
        else if (task.Type?.Name is { } operation && operation.StartsWith("System.Threading.Channels.", StringComparison.Ordinal))
        {
            // Review 46: a channel's operation awaited directly (ReadAsync, WaitToReadAsync, WriteAsync): a ValueTask over
            // the channel's IValueTaskSource, no task.
            description = ValueTaskSource(operation) + ChannelOfOperation(task, operation);
        }
        else
        {
            description = $"task of type {typeName}";
        }

        var queued = _queued.Contains(task.Address) || (_timerQueued && typeName.Contains("DelayPromise", StringComparison.Ordinal));
        return new AwaitedTask(task.Address, description, status, awaits, _running.TryGetValue(task.Address, out var thread) ? thread : null, queued)
        {
            ResumptionPending = resumptionPending && awaits is null && !queued,
            RunningNow = runningNow,
            Semaphore = semaphore,
            SemaphoreWaitMayEnd = timedSemaphoreWait,
            SemaphoreWaitEndsOnlyByCancel = endsOnlyByCancel,
            AwaitsAll = joined,
            LoopBodies = bodies,
        };
    }

    /// <summary>The semaphore and the limit of a <c>SemaphoreSlim.WaitAsync</c> with a timeout or a token: the box of the
    /// runtime's <c>WaitUntilCountOrTimeoutAsync</c>, whose hoisted <c>asyncWaiter</c> is queued on a semaphore.</summary>
    private (SemaphoreInfo Semaphore, string Limit, bool OnlyByCancel)? TimedSemaphoreWait(ClrObject box)
    {
        if (MachineOf(box) is not { } machine || machine.Type.Name?.StartsWith("System.Threading.SemaphoreSlim+<WaitUntilCountOrTimeoutAsync>", StringComparison.Ordinal) != true
            || machine.Type.GetFieldByName("asyncWaiter") is not { IsObjectReference: true } waiterField)
        {
            return null;
        }

        var waiter = waiterField.ReadObject(machine.Address, machine.Interior);
        if (waiter.IsNull || Async!.Heap.WaiterOf.GetValueOrDefault(waiter.Address) is not { } semaphore)
        {
            return null;
        }

        var timeout = machine.Type.GetFieldByName("millisecondsTimeout") is { } timeoutField ? timeoutField.Read<int>(machine.Address, machine.Interior) : -1;

        // No timeout, and a token nobody has cancelled nor set to cancel itself (CancelAfter starts a timer): only code
        // calling Cancel can end it.
        var onlyByCancel = false;
        if (timeout < 0 && machine.Type.GetFieldByName("cancellationToken") is { IsValueType: true, Type: { } tokenType } tokenField
            && tokenType.GetFieldByName("_source") is { } sourceField)
        {
            var source = sourceField.ReadObject(tokenField.GetAddress(machine.Address, machine.Interior), interior: true);
            onlyByCancel = source is { IsNull: false, IsValid: true } && source.TryReadField<int>("_state", out var state) && state == 0
                && (!source.TryReadObjectField("_timer", out var timer) || timer.IsNull);
        }

        return (semaphore, timeout >= 0 ? $"with a timeout of {timeout} ms" : "with a CancellationToken", onlyByCancel);
    }

    /// <summary>Whether an async state machine box's state machine holds <paramref name="address"/> in one of its
    /// reference fields (a hoisted local or parameter).</summary>
    private static bool References(ClrObject box, ulong address) =>
        MachineOf(box) is { } m && m.Type.Fields.Any(f => f.IsObjectReference && f.ReadObject(m.Address, m.Interior).Address == address);

    /// <summary>The unfinished tasks a <c>Task.WhenAll</c>/<c>WhenAny</c> promise waits for: those whose continuation it is.</summary>
    private List<AwaitedTask> Joined(ClrObject promise, int depth, HashSet<ulong> seen) =>
        Async is null || depth >= MaxChain ? [] : [.. Async.Heap.ContinuingTo(promise.Address).Where(a => !seen.Contains(a)).Take(100)
            .Select(a => Describe(reader.Heap.GetObject(a), depth + 1, seen))];

    /// <summary>Reads an async method's state machine: its method, its state (the await it is suspended at) and the unfinished task it awaits.</summary>
    /// <summary>Finds the compiler's state machine in a box: its type, its address, whether that address is inside the box
    /// (a struct state machine, as Release builds have), and its <c>&lt;&gt;1__state</c>.</summary>
    public static (ClrType Type, ulong Address, bool Interior, int State)? MachineOf(ClrObject box)
    {
        var field = box.Type?.GetFieldByName("StateMachine");
        if (field is null)
        {
            return null;
        }

        ulong address;
        ClrType? machineType;
        bool interior;
        if (field.IsValueType)
        {
            address = field.GetAddress(box.Address);
            machineType = field.Type;
            interior = true;
        }
        else
        {
            var machine = box.ReadObjectField("StateMachine");
            address = machine.Address;
            machineType = machine.Type;
            interior = false;
        }

        if (machineType is null)
        {
            return null;
        }

        // C#'s <>1__state; Visual Basic's $State.
        var state = (machineType.GetFieldByName("<>1__state") ?? machineType.GetFieldByName("$State")) is { } stateField ? stateField.Read<int>(address, interior) : -1;
        return (machineType, address, interior, state);
    }

    /// <summary>Gets an async method's name from its state machine type (<c>Outer.Type+&lt;MethodName&gt;d__12</c>).</summary>
    public static string AsyncMethodName(ClrType machineType) => AsyncMethodName(machineType.Name ?? "?");

    private static (string Method, int State, ClrObject? Awaited, bool Yielding, bool ResumptionPending) ReadStateMachine(ClrObject box) =>
        MachineOf(box) is { } machine ? ReadMachine(machine) : ("?", -1, null, false, false);

    private static (string Method, int State, ClrObject? Awaited, bool Yielding, bool ResumptionPending) ReadMachine((ClrType Type, ulong Address, bool Interior, int State) machine)
    {
        var (machineType, address, interior, state) = machine;

        var method = AsyncMethodName(machineType.Name ?? "?");
        ClrObject? awaited = null;
        var yielding = false;
        var completedAwaiter = false;
        // C#'s awaiter fields are <>u__1, <>u__2...; Visual Basic's $A0, $A1...
        foreach (var awaiter in machineType.Fields.Where(f => f.Name?.StartsWith("<>u__", StringComparison.Ordinal) == true || f.Name?.StartsWith("$A", StringComparison.Ordinal) == true))
        {
            if (awaiter.Type?.Name?.Contains("YieldAwaitable", StringComparison.Ordinal) == true)
            {
                yielding = state >= 0;
                continue;
            }

            var candidate = AwaiterTask(awaiter, address, interior);
            if (candidate is { IsNull: false, IsValid: true } found && !IsCompleted(found))
            {
                awaited = found;
                break;
            }

            // The compiler clears an awaiter when the method resumes: a completed task still in it, with the method
            // suspended (state >= 0), is a continuation that was handed on and has not run.
            completedAwaiter |= candidate is { IsNull: false, IsValid: true };
        }

        return (method, state, awaited, yielding && awaited is null, state >= 0 && awaited is null && completedAwaiter);
    }

    /// <summary>Reads the task inside an awaiter field (<c>TaskAwaiter</c>, <c>ConfiguredTaskAwaiter</c>, <c>ValueTaskAwaiter</c>), or null.</summary>
    private static ClrObject? AwaiterTask(ClrInstanceField awaiter, ulong machine, bool interior)
    {
        if (awaiter.IsObjectReference)
        {
            var value = awaiter.ReadObject(machine, interior);
            return value.Type is { } t && WaitRule.DerivesFrom(t, "System.Threading.Tasks.Task") ? value : null;
        }

        if (!awaiter.IsValueType || awaiter.Type is not { } awaiterType)
        {
            return null;
        }

        var awaiterAddress = awaiter.GetAddress(machine, interior);
        if (awaiterType.GetFieldByName("m_task") is { } task)
        {
            return task.ReadObject(awaiterAddress, interior: true);
        }

        if (awaiterType.GetFieldByName("_value") is { IsValueType: true, Type: { } valueTaskType } valueTask
            && valueTaskType.GetFieldByName("_obj") is { } obj)
        {
            // A task, or (review 46) an IValueTaskSource the chain can name: an async iterator (`await foreach`'s
            // MoveNextAsync) or a channel's operation.
            var inner = obj.ReadObject(valueTask.GetAddress(awaiterAddress, interior: true), interior: true);
            return inner.Type is { } t && (WaitRule.DerivesFrom(t, "System.Threading.Tasks.Task") || IsAsyncIterator(t)
                || t.Name?.StartsWith("System.Threading.Channels.", StringComparison.Ordinal) == true) ? inner : null;
        }

        return null;
    }

    private static string AsyncMethodName(string stateMachineType)
    {
        // Visual Basic: Outer.Type+VB$StateMachine_12_MethodName
        var vb = stateMachineType.LastIndexOf("+VB$StateMachine_", StringComparison.Ordinal);
        if (vb > 0 && stateMachineType.IndexOf('_', vb + "+VB$StateMachine_".Length) is var under and > 0)
        {
            return $"{stateMachineType[..vb].Replace('+', '.')}.{stateMachineType[(under + 1)..]}";
        }

        // An async lambda or local function: Outer.Type+<>c+<<MethodName>b__3_0>d, Outer.Type+<<MethodName>g__Local|0_0>d
        if (AsyncStateMachines.LambdaOrLocalName(stateMachineType) is { } lambdaOrLocal)
        {
            return lambdaOrLocal;
        }

        // Compiler-generated: Outer.Type+<MethodName>d__12
        var open = stateMachineType.LastIndexOf("+<", StringComparison.Ordinal);
        var close = stateMachineType.IndexOf(">d__", StringComparison.Ordinal);
        return open > 0 && close > open ? $"{stateMachineType[..open].Replace('+', '.')}.{stateMachineType[(open + 2)..close]}" : stateMachineType;
    }

    /// <summary>The type of the task's scheduler (<c>m_taskScheduler</c>) when it is not the thread pool's; null for the
    /// pool's, or when unreadable.</summary>
    /// <remarks>Review 54: a <c>ConcurrentExclusiveSchedulerPair</c>'s scheduler is named by its side (before: its private
    /// type, <c>ConcurrentExclusiveSchedulerPair.ConcurrentExclusiveTaskScheduler</c>, the same for both).</remarks>
    private static string? CustomScheduler(ClrObject task)
    {
        if (!task.TryReadObjectField("m_taskScheduler", out var scheduler) || scheduler.IsNull || !scheduler.IsValid
            || scheduler.Type?.Name is not { } name || name == "System.Threading.Tasks.ThreadPoolTaskScheduler")
        {
            return null;
        }

        if (name == "System.Threading.Tasks.ConcurrentExclusiveSchedulerPair+ConcurrentExclusiveTaskScheduler" && scheduler.TryReadObjectField("m_pair", out var pair)
            && pair.TryReadObjectField("m_exclusiveTaskScheduler", out var exclusive))
        {
            return exclusive.Address == scheduler.Address ? "the ExclusiveScheduler of a ConcurrentExclusiveSchedulerPair" : "the ConcurrentScheduler of a ConcurrentExclusiveSchedulerPair";
        }

        return name.Replace('+', '.');
    }

    private static string Status(ClrObject task)
    {
        if (!task.TryReadField<int>("m_stateFlags", out var flags))
        {
            return "unknown";
        }

        return (flags & TaskFaulted) != 0 ? "Faulted"
            : (flags & TaskCanceled) != 0 ? "Canceled"
            : (flags & TaskRanToCompletion) != 0 ? "RanToCompletion"
            : (flags & TaskDelegateInvoked) != 0 ? "Running"
            : (flags & TaskStarted) != 0 ? "WaitingToRun"
            : (flags & TaskWaitingForActivation) != 0 ? "WaitingForActivation"
            : "Created";
    }

    private string DescribeWorkItem(ClrObject item)
    {
        var typeName = item.Type?.Name ?? "?";
        if (typeName.Contains("AsyncStateMachineBox<", StringComparison.Ordinal))
        {
            return $"continuation of async method {ReadStateMachine(item).Method}";
        }

        if (typeName == "System.Threading.TimerQueue")
        {
            return "timer callbacks (Task.Delay, Timer)";
        }

        if (item.TryReadObjectField("m_action", out var action) && !action.IsNull && action.IsValid)
        {
            return $"Task.Run({DelegateMethod(action)})";
        }

        if (item.TryReadObjectField("_callback", out var callback) && !callback.IsNull && callback.IsValid)
        {
            return $"QueueUserWorkItem({DelegateMethod(callback)})";
        }

        return typeName;
    }

    private string DelegateMethod(ClrObject @delegate)
    {
        foreach (var pointerField in new[] { "_methodPtr", "_methodPtrAux" })
        {
            if (@delegate.TryReadField<ulong>(pointerField, out var pointer) && pointer != 0
                && reader.Runtime.GetMethodByInstructionPointer(pointer) is { } method)
            {
                return $"{method.Type?.Name?.Replace('+', '.')}.{method.Name}";
            }
        }

        return @delegate.Type?.Name ?? "?";
    }

    private static void ReadConcurrentQueue(ClrObject queue, List<ClrObject> into)
    {
        if (queue.IsNull || !queue.IsValid || !queue.TryReadObjectField("_head", out var segment))
        {
            return;
        }

        for (var guard = 0; !segment.IsNull && segment.IsValid && guard < 10_000; guard++)
        {
            if (segment.TryReadObjectField("_slots", out var slots) && !slots.IsNull)
            {
                var array = slots.AsArray();
                for (var i = 0; i < array.Length; i++)
                {
                    var slot = array.GetStructValue(i);
                    var item = slot.ReadObjectField("Item");
                    if (!item.IsNull && item.IsValid)
                    {
                        into.Add(item);
                    }
                }
            }

            segment = segment.TryReadObjectField("_nextSegment", out var next) ? next : default;
        }
    }
    /// <summary>Review 46: an <c>HttpClient</c> request waiting for a connection of its <c>HttpConnectionPool</c> (the
    /// pool's <c>this</c> in the state machine): how many HTTP/1.1 connections the pool may open and has, when all are in use
    /// (a response whose content is neither read to its end nor disposed keeps its connection for ever).</summary>
    private static string? HttpConnectionLimit(ClrObject box)
    {
        if (MachineOf(box) is not { } machine || machine.Type.GetFieldByName("<>4__this") is not { IsObjectReference: true } thisField)
        {
            return null;
        }

        var pool = thisField.ReadObject(machine.Address, machine.Interior);
        if (pool.IsNull || !pool.IsValid || !pool.TryReadField<int>("_maxHttp11Connections", out var max) || !pool.TryReadField<int>("_associatedHttp11ConnectionCount", out var open))
        {
            return null;
        }

        return open >= max
            ? $" — waiting for a free connection: the pool's {open} of MaxConnectionsPerServer {max} connections to this server are all in use; a response whose content is neither read to its end nor disposed keeps its connection for ever (dispose every HttpResponseMessage)"
            : $" — waiting for a connection ({open} of MaxConnectionsPerServer {max} open)";
    }

    /// <summary>Whether the type is the compiler's state machine of an async iterator (<c>async IAsyncEnumerable</c>): a class
    /// that is its own <c>IValueTaskSource&lt;bool&gt;</c>, with an <c>AsyncIteratorMethodBuilder</c>.</summary>
    private static bool IsAsyncIterator(ClrType? type) =>
        type?.GetFieldByName("<>t__builder")?.Type?.Name == "System.Runtime.CompilerServices.AsyncIteratorMethodBuilder";

    /// <summary>The channel a <c>ChannelReader.ReadAllAsync</c> iterator reads: its <c>this</c> (the channel's reader) and
    /// that reader's <c>_parent</c>.</summary>
    private static ClrObject? ChannelOf(ClrObject iterator)
    {
        if (!iterator.TryReadObjectField("<>4__this", out var channelReader) || channelReader is not { IsNull: false, IsValid: true, Type.Name: { } readerType }
            || !readerType.StartsWith("System.Threading.Channels.", StringComparison.Ordinal))
        {
            return null;
        }

        return channelReader.TryReadObjectField("_parent", out var channel) && channel is { IsNull: false, IsValid: true } ? channel : null;
    }

    /// <summary>Review 48: names the channel a waiting channel operation belongs to (before: its type alone, so a program
    /// with several channels could not tell which one), and for a write to a full bounded channel, how full it is and
    /// what ends the wait when its reader has ended.</summary>
    private string ChannelOfOperation(ClrObject operation, string operationType)
    {
        if (Async?.Heap.ChannelOfOperation.GetValueOrDefault(operation.Address) is not { IsNull: false } channel)
        {
            return "";
        }

        var holder = reader.FindHolder(channel, []);
        var write = operationType.Contains("Write", StringComparison.Ordinal) || operationType.Contains("VoidAsyncOperationWithData", StringComparison.Ordinal);
        var text = $", {(write ? "writing to" : "reading")} {channel.Type?.Name ?? "a Channel"}{(holder is null ? "" : $" ({holder})")}";
        if (!write && channel.Address != _writersSaidOf && !(channel.TryReadObjectField("_doneWriting", out var doneWriting) && !doneWriting.IsNull))
        {
            text += DeadWriters(channel);
        }

        if (write && channel.TryReadField<int>("_bufferedCapacity", out var capacity) && channel.TryReadObjectField("_items", out var items)
            && items is { IsNull: false, IsValid: true } && items.TryReadField<int>("_size", out var count))
        {
            text += $", {count} of {capacity} items buffered";
            if (count >= capacity)
            {
                text += ReaderOf(channel, operation) is { } readerFlow
                    ? $"; its reader is alive but has not taken the next item: {readerFlow} refers to its reader (a slow consumer, or one that waits on something else; it makes room when it reads again)"
                    : ThreadHoldingChannel(channel, operation) is { } holding
                    ? $"; no async flow or thread holds its reader, but {holding} holds the channel, and can read through its Reader: the dump cannot tell whether it will (a consumer that reads after waiting on something else), "
                        + "and if it does not, nothing will make room: a consumer that stops must complete the channel (Writer.TryComplete(exception) in a finally)"
                    : StaticReaderUnknown(holder, operation) ?? ReaderGone();
            }
        }

        return text;
    }

    /// <summary>Review 53: what still reads a full channel: an unfinished async method (other than the waiting writer's) or a
    /// thread whose frames refer to the channel's reader (directly, through a <c>ReadAllAsync</c> iterator, or through an
    /// object such as its <c>this</c> whose field does), or null when none does. Before, a dead reader and a slow one read
    /// alike ("if its reader has ended").</summary>
    private string? ReaderOf(ClrObject channel, ClrObject operation)
    {
        if (!channel.TryReadObjectField("<Reader>k__BackingField", out var channelReader) || channelReader is not { IsNull: false, IsValid: true })
        {
            return "some code";
        }

        // The waiting writer's own flow is the operation's continuation state (the box an await on the ValueTask resumes).
        var writer = operation.TryReadObjectField("_continuationState", out var state) ? state.Address : 0;
        var targets = new HashSet<ulong> { channelReader.Address };
        if (Async?.Heap is { } heap)
        {
            // The application's flow first (its consumer), not the ReadAllAsync iterator it is suspended in.
            var referring = heap.Boxes.Values.Where(b => b.Address != writer).Select(MachineOf)
                .Where(m => m is { } machine && Refers(machine.Type, machine.Address, machine.Interior, targets, 2)).Select(m => m!.Value.Type).ToList();
            if (referring.OrderBy(t => t.Name?.StartsWith("System.", StringComparison.Ordinal) == true).FirstOrDefault() is { } consumer)
            {
                return $"async method {AsyncMethodName(consumer)}";
            }
        }

        foreach (var thread in reader.Threads.Where(t => !IsWriterThread(t, operation, writer)))
        {
            foreach (var root in thread.Frames.Where(f => !f.IsFramework).SelectMany(f => f.Roots))
            {
                if (root.IsValid && !root.IsNull && root.Type is { } type && (targets.Contains(root.Address) || Refers(type, root.Address, false, targets, 1)))
                {
                    return thread.Label;
                }
            }
        }

        return null;
    }

    /// <summary>Review 64b: a thread other than the blocked writer whose application frames root the channel itself (not its
    /// reader), or an object one of whose fields holds it (a consumer's <c>this</c> with <c>_channel</c>, reading
    /// <c>_channel.Reader</c> each time round): it may read. Before, "its reader has ended" for a consumer blocked on a lock
    /// before its next read.</summary>
    private string? ThreadHoldingChannel(ClrObject channel, ClrObject operation)
    {
        var writer = operation.TryReadObjectField("_continuationState", out var state) ? state.Address : 0;
        var targets = new HashSet<ulong> { channel.Address };
        foreach (var thread in reader.Threads.Where(t => !IsWriterThread(t, operation, writer)))
        {
            foreach (var root in thread.Frames.Where(f => !f.IsFramework).SelectMany(f => f.Roots))
            {
                if (root.IsValid && !root.IsNull && root.Type is { } type && (targets.Contains(root.Address) || Refers(type, root.Address, false, targets, 1)))
                {
                    return thread.Label;
                }
            }
        }

        return null;
    }

    /// <summary>Review 58: a thread whose application frames root <paramref name="target"/> (a channel's reader), or an
    /// object one of whose fields holds it: named, or null when none does.</summary>
    internal string? ThreadReferringTo(ClrObject target)
    {
        var targets = new HashSet<ulong> { target.Address };
        foreach (var thread in reader.Threads)
        {
            foreach (var root in thread.Frames.Where(f => !f.IsFramework).SelectMany(f => f.Roots))
            {
                if (root.IsValid && !root.IsNull && root.Type is { } type && (targets.Contains(root.Address) || Refers(type, root.Address, false, targets, 1)))
                {
                    return thread.Label;
                }
            }
        }

        return null;
    }

    /// <summary>Review 58: a channel named as its waiting operations name it: its type and where it is held.</summary>
    internal string ChannelName(ClrObject channel) =>
        $"{channel.Type?.Name ?? "a Channel"}{(reader.FindHolder(channel, []) is { } holder ? $" ({holder})" : "")}";

    /// <summary>Review 54: whether the thread is the blocked writer itself: it waits on the operation's task
    /// (<c>WriteAsync(...).AsTask().Wait()</c>) or on the writer's async method. Its frames often root the channel (a local
    /// <c>channel</c> it writes through), whose <c>Reader</c> made it read as the reader that is "alive".</summary>
    private static bool IsWriterThread(ThreadScan thread, ClrObject operation, ulong writer) =>
        thread.Kind == WaitKind.Task && !thread.Target.IsNull
        && (thread.Target.Address == operation.Address || (writer != 0 && thread.Target.Address == writer)
            || (thread.Target.TryReadObjectField("_source", out var source) && source.Address == operation.Address));

    /// <summary>Whether the object (or struct) at <paramref name="address"/> refers to one of <paramref name="targets"/> through
    /// its fields, down to <paramref name="depth"/> objects (a state machine's <c>this</c>, then its <c>_channel</c>; a
    /// <c>ReadAllAsync</c> iterator's <c>&lt;&gt;4__this</c>).</summary>
    private static bool Refers(ClrType type, ulong address, bool interior, HashSet<ulong> targets, int depth)
    {
        foreach (var field in type.Fields.Where(f => f.IsObjectReference))
        {
            ClrObject value;
            try
            {
                value = field.ReadObject(address, interior);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                continue;
            }

            if (value.IsNull || !value.IsValid)
            {
                continue;
            }

            if (targets.Contains(value.Address))
            {
                return true;
            }

            if (depth > 1 && value.Type is { IsString: false, IsArray: false } next && Refers(next, value.Address, false, targets, depth - 1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Review 54: a channel in a static field can be read by code that holds nothing of it across its await (a consumer
    /// that reads <c>Queue.Reader</c> through the static each time round): no flow refers to its reader, yet it may be alive.
    /// When an unfinished async method of the application other than the writer's is on the heap, say so and do not claim the
    /// reader has ended (before: "its reader has ended", wrong for a consumer suspended elsewhere in its loop).</summary>
    private string? StaticReaderUnknown(string? holder, ClrObject operation)
    {
        if (holder?.StartsWith("static field ", StringComparison.Ordinal) != true || Async?.Heap is not { } heap)
        {
            return null;
        }

        var writer = operation.TryReadObjectField("_continuationState", out var state) ? state.Address : 0;
        var others = heap.Boxes.Values.Where(b => b.Address != writer && !IsCompleted(b)).Select(MachineOf).OfType<(ClrType Type, ulong Address, bool Interior, int State)>()
            .Select(m => m.Type.Name ?? "").Where(n => n.Length > 0 && !n.StartsWith("System.", StringComparison.Ordinal) && !n.StartsWith("Microsoft.", StringComparison.Ordinal))
            .Select(n => AsyncMethodName(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (others.Count == 0)
        {
            return null;
        }

        var named = string.Join(", ", others.Take(3)) + (others.Count > 3 ? $" and {others.Count - 3} more" : "");
        return $"; no async flow or thread holds its reader, but the channel is in a {holder}, which a consumer can read through without holding it across an await: "
            + $"the dump cannot tell whether its reader has ended or waits on something else (unfinished async method{(others.Count == 1 ? "" : "s")} {named}); "
            + "if the consumer has stopped, nothing will make room: a consumer that stops must complete the channel (Writer.TryComplete(exception) in a finally)";
    }

    /// <summary>Review 53: a full channel nothing reads: its reader has ended; an async method that ended with an exception
    /// (a consumer that threw) is named with it, the way a <c>BlockingCollection</c> says "no thread is taking from it".</summary>
    private string ReaderGone()
    {
        var text = ReaderGoneStart + ": its reader has ended";
        var faulted = (Async?.Heap.FaultedBoxes ?? []).Select(b => Fault(b, reader.Lines)).OfType<string>().Distinct(StringComparer.Ordinal).Take(3).ToList();
        if (faulted.Count > 0)
        {
            text += $" (an async method ended with an exception: {string.Join("; ", faulted)})";
        }

        return text + ReaderGoneEnd;
    }

    /// <summary>Doctor67: how <see cref="ReaderGone"/>'s words begin.</summary>
    internal const string ReaderGoneStart = "; no async flow or thread refers to its reader (none suspended in ReadAsync, ReadAllAsync or WaitToReadAsync, none holding it)";

    /// <summary>Doctor67: how <see cref="ReaderGone"/>'s words end.</summary>
    internal const string ReaderGoneEnd = ", and nothing will make room: a consumer that stops must complete the channel (Writer.TryComplete(exception) in a finally), so that writers fail instead of waiting";

    /// <summary>
    /// Doctor67: a full channel's writer whose reader is a thread blocked on a lock the writer holds (<see
    /// cref="DumpAnalyzer.ReadsAfterLock"/>): "its reader has ended, and nothing will make room" was said beside "whose items
    /// would be read by" that thread. What the dump shows instead: no flow refers to the reader, a thread's code reads it.
    /// </summary>
    internal static string WithReaderBehindLock(string description)
    {
        var start = description.IndexOf(ReaderGoneStart, StringComparison.Ordinal);
        var end = start < 0 ? -1 : description.IndexOf(ReaderGoneEnd, start, StringComparison.Ordinal);
        return end < 0 ? description
            : string.Concat(description.AsSpan(0, start), "; no async flow refers to its reader, and no thread holds it, but a thread blocked on a lock this thread holds reads from the channel after that lock", description.AsSpan(end + ReaderGoneEnd.Length));
    }

    /// <summary>Review 61: a reader waiting on a channel no writer completed, whose writer ended with an exception before its
    /// <c>Complete()</c>: the faulted tasks whose code uses a channel of this element type (a <c>Channel&lt;T&gt;</c>, its
    /// <c>ChannelWriter&lt;T&gt;</c> or the concrete channel), named with their exception as a full channel's dead reader is.
    /// "May": a task is matched by the channel's type, not the instance. Before: "waiting for an item", nothing of why.</summary>
    private string DeadWriters(ClrObject channel)
    {
        var type = channel.Type?.Name ?? "";
        var open = type.IndexOf('<', StringComparison.Ordinal);
        if (Async?.Heap is not { } heap || open < 0 || !type.EndsWith('>'))
        {
            return "";
        }

        var element = type[(open + 1)..^1];
        string[] types = [type, $"System.Threading.Channels.Channel<{element}>", $"System.Threading.Channels.ChannelWriter<{element}>"];
        var faults = heap.FaultedBoxes.Concat(heap.FaultedTasks).Select(t => FaultHolding(t, types, reader.Lines)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (faults.Count == 0)
        {
            return "";
        }

        var named = string.Join("; ", faults.Take(3)) + (faults.Count > 3 ? $"; and {faults.Count - 3} more" : "");
        return $"; {DeadChannelWriters} ({named}): a writer that may throw must complete the channel in a finally (Writer.TryComplete(exception)), so that its readers end instead of waiting";
    }

    /// <summary>Said of a channel before the faulted tasks that may have been its writers.</summary>
    internal const string DeadChannelWriters = "a task whose code uses a channel of this type ended with an exception";

    /// <summary>"Shop.Pipeline.RunAsync threw InvalidOperationException: order 2 has no customer" for a faulted async method box
    /// of the application (not the framework's), or null.</summary>
    private static string? Fault(ClrObject box, SourceLines? lines)
    {
        if (MachineOf(box) is not { } machine || machine.Type.Name is not { } machineName || machineName.StartsWith("System.", StringComparison.Ordinal)
            || machineName.StartsWith("Microsoft.", StringComparison.Ordinal) || ExceptionOf(box, lines) is not { } exception)
        {
            return null;
        }

        return $"{AsyncMethodName(machine.Type)} threw {exception}";
    }

    /// <summary>Review 55: what a faulted task whose code holds a collection of <paramref name="collectionType"/> was and what it
    /// threw: an async method (as <see cref="Fault"/> says it) or a delegate's task (<c>Task.Run(() =&gt; ...)</c>: "a task
    /// running Shop.Main (lambda) threw InvalidDataException: bad item 1"); null otherwise. A finished task no longer refers to
    /// what its code used (the runtime drops a task's delegate and clears a box's state machine when it ends), so its code is
    /// read instead: the type of its state machine, or of the methods its exception's stack went through (a lambda's closure),
    /// must have a field of that type.</summary>
    internal static string? FaultHolding(ClrObject task, string collectionType, SourceLines? lines) => FaultHolding(task, [collectionType], lines);

    /// <summary>As <see cref="FaultHolding(ClrObject, string, SourceLines?)"/>, for a field of any of <paramref name="types"/>.</summary>
    internal static string? FaultHolding(ClrObject task, IReadOnlyCollection<string> types, SourceLines? lines)
    {
        if (ExceptionObjectOf(task) is not { } exception || ExceptionOf(task, lines) is not { } thrown)
        {
            return null;
        }

        // Review 61: a collection in a static field counts when the code loads it (a lambda that captured nothing has no
        // field of it): the IL of the lambda, or of the state machine's MoveNext, is read for ldsfld of such a field.
        bool Holds(ClrType? type, ClrMethod? method) => type is not null
            && (type.Fields.Any(f => f.IsObjectReference && f.Type?.Name is { } n && types.Contains(n)) || (method is not null && LoadsStatic(method, types)));
        if (MachineOf(task) is { } machine)
        {
            return Holds(machine.Type, machine.Type.Methods.FirstOrDefault(m => m.Name == "MoveNext")) ? Fault(task, lines) : null;
        }

        var frames = StackOf(exception).Where(m => m.Type?.Name is { } n && !n.StartsWith("System.", StringComparison.Ordinal) && !n.StartsWith("Microsoft.", StringComparison.Ordinal)).ToList();
        if (frames.FirstOrDefault(m => Holds(m.Type, m)) is not { } method)
        {
            return null;
        }

        // An async method whose box was cleared shows as its state machine's MoveNext: named as an async method is.
        return method.Name == "MoveNext" && method.Type?.Name?.Contains(">d__", StringComparison.Ordinal) == true
            ? $"{AsyncMethodName(method.Type)} threw {thrown}"
            : MethodName(method) is { } name ? $"a task running {name} threw {thrown}" : null;
    }

    /// <summary>Review 61: whether <paramref name="method"/> (a lambda, an async method's <c>MoveNext</c>) loads a static field
    /// of one of <paramref name="types"/> declared on its type or on the type that type was generated for.</summary>
    private static bool LoadsStatic(ClrMethod method, IReadOnlyCollection<string> types)
    {
        if (method.Type is not { } type)
        {
            return false;
        }

        var outer = type.Name?.LastIndexOf("+<", StringComparison.Ordinal) is > 0 and var nested ? type.Module?.GetTypeByName(type.Name![..nested]) : null;
        var tokens = new[] { type, outer }.OfType<ClrType>().SelectMany(t => t.StaticFields)
            .Where(f => f.IsObjectReference && f.Type?.Name is { } n && types.Contains(n)).Select(f => (long)f.Token).ToHashSet();
        return tokens.Count > 0 && Code(method) is { } code && code.Exists(i => i.Op is LdStaticField or LdStaticFieldAddress && tokens.Contains(i.Operand));
    }

    /// <summary>A method's IL, read from the dump, decoded; null when it cannot be read.</summary>
    private static List<IlReader.Instruction>? Code(ClrMethod method)
    {
        try
        {
            return method.Type?.Module?.AppDomain?.Runtime.DataTarget.DataReader is { } data && IlReader.Body(method, data) is { } bytes
                ? IlReader.Decode(bytes)
                : null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private const int LdStaticField = 0x7E;
    private const int LdStaticFieldAddress = 0x7F;

    /// <summary>Review 62: "Pipeline.cs:42", the file and line of the innermost frame of the program's code (not the
    /// framework's) in an exception's stack trace, or null. The frames' addresses are return addresses (the throw is a call
    /// into the runtime), as below a stack's top.</summary>
    private static string? ThrowSite(ClrObject exception, SourceLines lines)
    {
        try
        {
            foreach (var frame in exception.AsException()?.StackTrace ?? [])
            {
                if (frame.Method?.Type is not { Name: { } type } declaring || WaitRule.IsFrameworkType(type, declaring.Module?.Name))
                {
                    continue;
                }

                return lines.Find(frame, isTopFrame: false) is { } source ? $"{Path.GetFileName(source.File)}:{source.Line}" : null;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            // A stack trace the dump holds only in part: no line, as before.
        }

        return null;
    }

    internal static List<ClrMethod> StackOf(ClrObject exception)
    {
        try
        {
            return [.. exception.AsException()?.StackTrace.Select(f => f.Method).OfType<ClrMethod>() ?? []];
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            return [];
        }
    }

    /// <summary>"Shop.Main (lambda)" for a lambda, "Shop.Worker.Consume" for a method.</summary>
    internal static string? MethodName(ClrMethod method)
    {
        if (method is not { Name: { } name, Type.Name: { } typeName })
        {
            return null;
        }

        var closure = typeName.IndexOf("+<>c", StringComparison.Ordinal);
        var outer = closure > 0 ? typeName[..closure] : typeName;
        var lambda = name.StartsWith('<') ? name.IndexOf(">b__", StringComparison.Ordinal) : -1;
        return lambda > 1 ? $"{outer.Replace('+', '.')}.{name[1..lambda]} (lambda)" : $"{typeName.Replace('+', '.')}.{name}";
    }

    internal static ClrObject? ExceptionObjectOf(ClrObject task) =>
        task.TryReadObjectField("m_contingentProperties", out var props) && props is { IsNull: false, IsValid: true }
        && props.TryReadObjectField("m_exceptionsHolder", out var holder) && holder is { IsNull: false, IsValid: true }
        && holder.TryReadObjectField("m_faultExceptions", out var list) && list is { IsNull: false, IsValid: true }
        && list.TryReadObjectField("_items", out var items) && items is { IsNull: false, IsValid: true }
        && items.AsArray().GetObjectValue(0) is { IsNull: false, IsValid: true } info
        && info.TryReadObjectField("_exception", out var exception) && exception is { IsNull: false, IsValid: true }
            ? exception : null;

    /// <summary>"InvalidDataException: bad item 1": the first exception a faulted task holds, or null. Review 62: with the
    /// source line of its throw site when its stack trace (kept in the exception) reaches the program's code and the module
    /// has a PDB: "InvalidDataException (Pipeline.cs:42): bad item 1".</summary>
    internal static string? ExceptionOf(ClrObject task, SourceLines? lines)
    {
        if (!task.TryReadObjectField("m_contingentProperties", out var props) || props is not { IsNull: false, IsValid: true }
            || !props.TryReadObjectField("m_exceptionsHolder", out var holder) || holder is not { IsNull: false, IsValid: true }
            || !holder.TryReadObjectField("m_faultExceptions", out var list) || list is not { IsNull: false, IsValid: true }
            || !list.TryReadObjectField("_items", out var items) || items is not { IsNull: false, IsValid: true }
            || items.AsArray().GetObjectValue(0) is not { IsNull: false, IsValid: true } info
            || !info.TryReadObjectField("_exception", out var exception) || exception is not { IsNull: false, IsValid: true, Type.Name: { } exceptionType })
        {
            return null;
        }

        var message = exception.TryReadObjectField("_message", out var m) && m is { IsNull: false, IsValid: true } ? m.AsString(200) : null;
        var shortType = exceptionType[(exceptionType.LastIndexOf('.') + 1)..];
        var site = lines is null ? null : ThrowSite(exception, lines);
        return $"{shortType}{(site is null ? "" : $" ({site})")}{(message is null ? "" : $": {message}")}";
    }

    /// <summary>Describes the task of a <c>ValueTask.AsTask()</c> by its <c>IValueTaskSource</c>: a channel's blocked
    /// write or read is named as such (it ends when another party reads or writes), anything else by the source's type.</summary>
    private static string ValueTaskSource(string sourceType)
    {
        if (sourceType.StartsWith("System.Threading.Channels.", StringComparison.Ordinal))
        {
            var write = sourceType.Contains("Write", StringComparison.Ordinal) || sourceType.Contains("VoidAsyncOperationWithData", StringComparison.Ordinal);
            var read = !write && (sourceType.Contains("Read", StringComparison.Ordinal) || sourceType.StartsWith("System.Threading.Channels.AsyncOperation<", StringComparison.Ordinal));
            if (sourceType.Contains("WaitingRead", StringComparison.Ordinal))
            {
                return $"a Channel's WaitToReadAsync, waiting for an item (it ends when a writer writes one, or completes the channel): {sourceType}";
            }

            return write ? $"a Channel's WriteAsync, waiting for room in a full bounded channel (it ends when a reader takes an item): {sourceType}"
                : read ? $"a Channel's ReadAsync, waiting for an item (it ends when a writer writes one): {sourceType}"
                : $"a Channel operation: {sourceType}";
        }

        return $"the task of a ValueTask over {sourceType}";
    }
}
