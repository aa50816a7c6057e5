using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 56: a task scheduler of the program's own that runs a limited number of tasks at a time (the docs'
/// <c>LimitedConcurrencyLevelTaskScheduler</c>, a serial executor) whose running tasks all block, without a timeout, on tasks
/// queued to that same scheduler and not started. The scheduler starts a queued task when one of its running tasks ends,
/// and none will: each waits for a task it alone would start. Before, each thread read <c>BRG1008</c>, "a task on
/// Shop.LimitedConcurrencyLevelTaskScheduler (...), queued there, not started", which did not say why it would never start.
/// Evidence, not proof: the dump cannot call the scheduler's <c>MaximumConcurrencyLevel</c>; its limit is read from the field
/// it keeps it in, and no request for another pool thread is pending (<see cref="Detail"/>). A cycle of one thread per blocked
/// runner, reported as a <em>possible</em> deadlock.
/// </summary>
internal static class CustomSchedulerWaits
{
    /// <summary>The start of the wait's detail, which the advice and the possible graph key on.</summary>
    public const string Marker = "which its scheduler does not start: ";

    /// <summary>Review 62: the start of the detail of a wait on an async method whose continuation is queued on a scheduler of
    /// the program's own; a certain self-wait when the scheduler's only thread, kept in a field, is the blocked one.</summary>
    public const string ContinuationMarker = "whose continuation waits in the queue of ";

    /// <summary>Review 62: the same, when the scheduler's threads are known only from the stacks running its code (it may
    /// start another thread in a way no dump shows): a possible self-wait.</summary>
    public const string MayContinuationMarker = "whose continuation may wait for ever in the queue of ";

    /// <summary>Review 63: the start of the detail of a wait on a task queued, not started, to a scheduler whose only thread,
    /// kept in a field, is the blocked one: a certain self-wait.</summary>
    public const string OnlyThreadMarker = "which only its scheduler's thread would start: ";

    private const string PoolScheduler = "System.Threading.Tasks.ThreadPoolTaskScheduler";
    private const string PairScheduler = "System.Threading.Tasks.ConcurrentExclusiveSchedulerPair+ConcurrentExclusiveTaskScheduler";
    private const string ContextScheduler = "System.Threading.Tasks.SynchronizationContextTaskScheduler";

    /// <summary>Marks each such thread as waiting for itself, with what it waits for.</summary>
    public static void Mark(RuntimeReader reader, IReadOnlyList<ThreadScan> scans, int poolQueued)
    {
        var heap = reader.Heap;
        foreach (var scan in scans.Where(s => MayMark(s.Owners.Count, s.Detail)))
        {
            if (BlockedOnQueued(heap, scan) is not { } scheduler)
            {
                continue;
            }

            var runners = scans.Where(s => s.RunningTasks.Any(a => SchedulerOf(heap.GetObject(a)) is { } own && own.Address == scheduler.Address)).ToList();
            // Review 63: a scheduler that keeps its one thread in a field (a serial executor), that thread blocked here on a task
            // queued to it: only this thread would start it (review 62 reads the same fields for a continuation queued there).
            var (fieldThreads, threadField) = ThreadsInFields(heap, scheduler);
            if (fieldThreads.Count == 1 && fieldThreads[0] == scan.ManagedId && runners.Contains(scan))
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = WithAllNeeded($"{OnlyThreadMarker}{scheduler.Type?.Name?.Replace('+', '.') ?? "?"}, a TaskScheduler of the program's own whose only thread "
                    + $"(its field {threadField}) is this one, blocked here: the task is queued there, not started, and only this thread would start it", scan.Detail);
                continue;
            }

            var field = LimitField(scheduler);
            var limit = field is not null && scheduler.TryReadField<int>(field, out var value) ? value : (int?)null;
            var detail = Detail(scheduler.Type?.Name?.Replace('+', '.') ?? "?", runners.Count, runners.Contains(scan),
                runners.TrueForAll(r => BlockedOnQueued(heap, r) is { } other && other.Address == scheduler.Address),
                runners.TrueForAll(r => r.IsPoolWorker), poolQueued, field is null || limit is null ? null : (field, limit.Value));
            if (detail is not null)
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = WithAllNeeded(detail, scan.Detail);
            }
        }
    }

    /// <summary>Review 64b: the end of the detail of a wait on several tasks, all needed (<c>Task.WaitAll</c>), when nothing
    /// else explains it: <c>one of 3 tasks it waits for, all needed</c>.</summary>
    public const string AllNeeded = " tasks it waits for, all needed";

    /// <summary>
    /// Review 64b: whether a wait is one <see cref="Mark"/> reads: no owner, and no detail but that it waits on several tasks,
    /// all needed. Before, a detail of any kind kept it out: <c>Task.WaitAll</c> on tasks queued to a full limited-concurrency
    /// scheduler, whose detail is "one of 3 tasks it waits for, all needed", read <c>BRG1008</c> where <c>.Wait()</c> on one
    /// such task reads <c>BRG1001</c> (possible). The first of them is the one read: WaitAll needs it too.
    /// </summary>
    internal static bool MayMark(int owners, string? detail) =>
        owners == 0 && (detail is null || (detail.StartsWith("one of ", StringComparison.Ordinal) && detail.EndsWith(AllNeeded, StringComparison.Ordinal)));

    private static string WithAllNeeded(string detail, string? before) => before is null ? detail : $"{detail} ({before})";

    /// <summary>
    /// Review 62: a thread running a task of a scheduler of the program's own, blocked without a timeout on an async method
    /// whose awaited task has completed and whose continuation (a task whose state is the method's MoveNext delegate) sits
    /// in that scheduler's queue: <c>await</c> resumes on the scheduler it started on. Only the scheduler's threads run
    /// it. The scheduler's threads are read from its fields (a <c>Thread</c>, a <c>Thread[]</c>, a <c>List&lt;Thread&gt;</c>):
    /// when the only one is this thread, a certain self-wait; else from the stacks running the scheduler's own code: when
    /// this thread alone does, a possible one (a scheduler may start a thread on demand); else only the line says where
    /// the continuation waits.
    /// </summary>
    public static void MarkQueuedContinuations(RuntimeReader reader, IReadOnlyList<ThreadScan> scans)
    {
        var heap = reader.Heap;
        foreach (var scan in scans.Where(s => s.Owners.Count == 0 && s.Detail is null && s.Kind == WaitKind.Task && s.Task is not null && !s.IsIdle
            && !WaitRule.IsTimed(s.Api!)))
        {
            var last = AsyncFindings.Leaf(scan.Task!);
            if (!last.ResumptionPending)
            {
                continue;
            }

            var box = heap.GetObject(last.Address);
            var scheduler = scan.RunningTasks.Select(a => SchedulerOf(heap.GetObject(a))).FirstOrDefault(s => s is not null);
            if (scheduler is not { } own || !ContinuationQueuedIn(own, box))
            {
                continue;
            }

            var name = own.Type?.Name?.Replace('+', '.') ?? "?";
            var (fieldThreads, field) = ThreadsInFields(heap, own);
            if (fieldThreads.Count > 0)
            {
                if (fieldThreads.Count == 1 && fieldThreads[0] == scan.ManagedId)
                {
                    scan.Owners.Add(scan.ManagedId);
                    scan.Detail = $"{ContinuationMarker}{name}, a TaskScheduler of the program's own whose only thread (its field {field}) is this one, blocked here: "
                        + "the awaited task has completed, and the method resumes on the scheduler it started on, which never runs it";
                }
                else
                {
                    scan.Detail = $"{ContinuationMarker}{name}, a TaskScheduler of the program's own with {fieldThreads.Count} thread{(fieldThreads.Count == 1 ? "" : "s")} in its fields"
                        + $"{(fieldThreads.Contains(scan.ManagedId) ? ", this one among them" : ", not this one")}: the awaited task has completed; the method resumes when one of them takes it";
                }

                continue;
            }

            var loops = scans.Where(s => s.Frames.Exists(f => RunsLoopOf(f, own.Type?.Name))).Select(s => s.ManagedId).ToList();
            if (loops.Count == 1 && loops[0] == scan.ManagedId)
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = $"{MayContinuationMarker}{name}, a TaskScheduler of the program's own whose code runs on this thread alone, blocked here: "
                    + "the awaited task has completed, and the method resumes on the scheduler it started on, which runs it on its own threads";
            }
            else
            {
                scan.Detail = $"{ContinuationMarker}{name}, a TaskScheduler of the program's own (the awaited task has completed; the method resumes when a thread of that scheduler takes it{(loops.Count > 1 ? $": {loops.Count} threads run its code" : "")})";
            }
        }
    }

    /// <summary>Whether a wait's detail is one of <see cref="MarkQueuedContinuations"/>'s.</summary>
    public static bool IsQueuedContinuation(string? detail) => detail is not null
        && (detail.StartsWith(ContinuationMarker, StringComparison.Ordinal) || detail.StartsWith(MayContinuationMarker, StringComparison.Ordinal));

    /// <summary>Whether the frame runs the scheduler's own code (its loop: a method of its type or of a type nested in it, a
    /// lambda's), not a call into it from elsewhere (<c>QueueTask</c>, <c>TryExecuteTaskInline</c>).</summary>
    private static bool RunsLoopOf(FrameScan frame, string? scheduler) => scheduler is not null
        && (frame.TypeName == scheduler || frame.TypeName.StartsWith(scheduler + "+", StringComparison.Ordinal))
        && frame.MethodName is not ("QueueTask" or "TryExecuteTaskInline" or "GetScheduledTasks" or "TryDequeue" or ".ctor");

    /// <summary>The managed ids of the threads the scheduler keeps in its fields, and the first such field's name.</summary>
    private static (List<int> Ids, string? Field) ThreadsInFields(ClrHeap heap, ClrObject scheduler)
    {
        var (threads, field) = ThreadObjectsInFields(heap, scheduler);
        return ([.. threads.Select(t => t.TryReadField<int>("_managedThreadId", out var id) ? id : 0)], field);
    }

    /// <summary>The <c>Thread</c> objects an object (a scheduler, a synchronization context) keeps in its fields (a
    /// <c>Thread</c>, a <c>Thread[]</c>, a <c>List&lt;Thread&gt;</c>), and the first such field's name.</summary>
    internal static (List<ClrObject> Threads, string? Field) ThreadObjectsInFields(ClrHeap heap, ClrObject scheduler)
    {
        _ = heap;
        var ids = new List<ClrObject>();
        string? first = null;
        foreach (var field in scheduler.Type?.Fields ?? [])
        {
            if (!field.IsObjectReference || field.Name is null)
            {
                continue;
            }

            var value = field.ReadObject(scheduler.Address, false);
            if (value.IsNull || !value.IsValid || value.Type?.Name is not { } type)
            {
                continue;
            }

            var before = ids.Count;
            if (type == "System.Threading.Thread")
            {
                AddThread(value);
            }
            else if (type == "System.Threading.Thread[]" || type == "System.Collections.Generic.List<System.Threading.Thread>")
            {
                var array = type.EndsWith("[]", StringComparison.Ordinal) ? value
                    : value.TryReadObjectField("_items", out var items) ? items : default;
                var count = type.EndsWith("[]", StringComparison.Ordinal) ? (array.IsValid && !array.IsNull ? array.AsArray().Length : 0)
                    : value.TryReadField<int>("_size", out var size) ? size : 0;
                for (var i = 0; array.IsValid && !array.IsNull && i < count && i < 1024; i++)
                {
                    AddThread(array.AsArray().GetObjectValue(i));
                }
            }

            if (ids.Count > before)
            {
                first ??= field.Name.StartsWith('<') && field.Name.EndsWith(">k__BackingField", StringComparison.Ordinal) ? $"{field.Name[1..field.Name.IndexOf('>', StringComparison.Ordinal)]} (a property)" : field.Name;
            }
        }

        return (ids, first);

        void AddThread(ClrObject thread)
        {
            if (thread is { IsNull: false, IsValid: true } && thread.TryReadField<int>("_managedThreadId", out _))
            {
                ids.Add(thread);
            }
        }
    }

    /// <summary>Whether the box's continuation (its cached MoveNext delegate, or the box itself) is reachable from the
    /// scheduler, through its queue and the task in it, without going through another async method, thread or context.</summary>
    private static bool ContinuationQueuedIn(ClrObject scheduler, ClrObject box)
    {
        var action = box.TryReadObjectField("m_action", out var cached) ? cached : default;
        return action is { IsNull: false, IsValid: true } && action.TryReadObjectField("_target", out var target) && target.Address == box.Address
            && RuntimeReader.Reaches(scheduler, action.Address, 10_000, StopAt);
    }

    /// <summary>
    /// The rule, apart from the heap: the wait's detail when the scheduler's queued task cannot start, else null. Every
    /// thread running the scheduler's tasks (this one among them) is blocked on tasks queued to it; they are pool threads,
    /// which such a scheduler gets by queueing a work item to the pool, and the pool's queue is empty (no request for another
    /// thread pending); and the scheduler keeps its limit in a field (<c>_maxDegreeOfParallelism</c>) no greater than
    /// the threads running its tasks. A scheduler on threads of its own (a serial executor) may start one more in a way no
    /// dump shows, and a limit not kept in a field is not known: both are listed, as before (review 37).
    /// </summary>
    internal static string? Detail(string scheduler, int runners, bool thisThreadRuns, bool allBlockedOnIt, bool allPoolThreads, int poolQueued, (string Field, int Value)? limit)
    {
        if (!thisThreadRuns || !allBlockedOnIt || !allPoolThreads || poolQueued > 0 || limit is not { } max || max.Value <= 0 || max.Value > runners)
        {
            return null;
        }

        var who = runners == 1
            ? "its only running task is this thread's"
            : $"each of the {runners} threads running its tasks (this one among them) is blocked alike";
        // A primary constructor's parameter is kept in a field named <name>P.
        var field = max.Field.StartsWith('<') && max.Field.EndsWith(">P", StringComparison.Ordinal) ? $"{max.Field[1..^2]} (a primary constructor parameter)" : max.Field;
        return $"{Marker}{scheduler}, a TaskScheduler of the program's own, runs at most {max.Value} task{(max.Value == 1 ? "" : "s")} at a time "
            + $"(its field {field}), and {who}, waiting for tasks queued there, with no work item in the thread pool's queue to give it another thread; "
            + "it starts a queued task when a running one ends, and none will";
    }

    /// <summary>The custom scheduler of the task a thread waits on without a timeout, when that task (the end of its chain)
    /// is queued there, not started.</summary>
    private static ClrObject? BlockedOnQueued(ClrHeap heap, ThreadScan scan)
    {
        if (scan.Kind != WaitKind.Task || scan.Task is null || scan.IsIdle || WaitRule.IsTimed(scan.Api!))
        {
            return null;
        }

        var last = AsyncFindings.Leaf(scan.Task);
        if (last.Status != "WaitingToRun")
        {
            return null;
        }

        var task = heap.GetObject(last.Address);
        return SchedulerOf(task) is { } scheduler && RuntimeReader.Reaches(scheduler, task.Address, 10_000, StopAt) ? scheduler : null;
    }

    /// <summary>A task's scheduler when it is one of the program's own (not the pool's, a scheduler pair's or a
    /// synchronization context's).</summary>
    private static ClrObject? SchedulerOf(ClrObject task) =>
        task.IsValid && task.TryReadObjectField("m_taskScheduler", out var scheduler) && scheduler is { IsNull: false, IsValid: true, Type.Name: { } name }
            && name is not PoolScheduler and not PairScheduler and not ContextScheduler
            ? scheduler
            : null;

    /// <summary>The int field the scheduler keeps its limit in (<c>_maxDegreeOfParallelism</c>, a primary constructor's
    /// <c>maxDegreeOfParallelism</c>, <c>_maxConcurrency</c>), or null.</summary>
    private static string? LimitField(ClrObject scheduler)
    {
        var names = scheduler.Type?.Fields.Where(f => f.ElementType == ClrElementType.Int32 && f.Name is not null).Select(f => f.Name!).ToList() ?? [];
        return names.Find(n => LimitFieldRank(n) == 1) ?? names.Find(n => LimitFieldRank(n) == 2);
    }

    /// <summary>How surely an <c>int</c> field of a scheduler, by its name, keeps how many tasks it runs at once: 1 for
    /// <c>_maxDegreeOfParallelism</c>, <c>_concurrency</c>, <c>_parallelism</c>; 2 (taken when no field ranks 1) for a bare
    /// bound, <c>_max</c>, <c>_limit</c>, <c>_maxTasks</c>, a primary constructor's <c>&lt;max&gt;P</c> (review 64: a
    /// <c>LimitedConcurrencyLevelTaskScheduler(int max)</c> read "queued there, not started"); 0 otherwise. A bound of
    /// something else read as this one says nothing unless it is no more than the threads running the scheduler's tasks.</summary>
    internal static int LimitFieldRank(string name) =>
        name.Contains("maxDegree", StringComparison.OrdinalIgnoreCase) || name.Contains("concurrency", StringComparison.OrdinalIgnoreCase)
            || name.Contains("parallelism", StringComparison.OrdinalIgnoreCase) ? 1
        : (name.Contains("max", StringComparison.OrdinalIgnoreCase) || name.Contains("limit", StringComparison.OrdinalIgnoreCase))
            && !name.Contains("queue", StringComparison.OrdinalIgnoreCase) && !name.Contains("length", StringComparison.OrdinalIgnoreCase) ? 2
        : 0;

    private static bool StopAt(ClrType? type) => type is null || type.Name?.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) == true
        || type.Name == "System.Threading.Thread" || WaitRule.DerivesFrom(type, "System.Threading.SynchronizationContext");
}
