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

    private const string PoolScheduler = "System.Threading.Tasks.ThreadPoolTaskScheduler";
    private const string PairScheduler = "System.Threading.Tasks.ConcurrentExclusiveSchedulerPair+ConcurrentExclusiveTaskScheduler";
    private const string ContextScheduler = "System.Threading.Tasks.SynchronizationContextTaskScheduler";

    /// <summary>Marks each such thread as waiting for itself, with what it waits for.</summary>
    public static void Mark(RuntimeReader reader, IReadOnlyList<ThreadScan> scans, int poolQueued)
    {
        var heap = reader.Heap;
        foreach (var scan in scans.Where(s => s.Owners.Count == 0 && s.Detail is null))
        {
            if (BlockedOnQueued(heap, scan) is not { } scheduler)
            {
                continue;
            }

            var runners = scans.Where(s => s.RunningTasks.Any(a => SchedulerOf(heap.GetObject(a)) is { } own && own.Address == scheduler.Address)).ToList();
            var field = LimitField(scheduler);
            var limit = field is not null && scheduler.TryReadField<int>(field, out var value) ? value : (int?)null;
            var detail = Detail(scheduler.Type?.Name?.Replace('+', '.') ?? "?", runners.Count, runners.Contains(scan),
                runners.TrueForAll(r => BlockedOnQueued(heap, r) is { } other && other.Address == scheduler.Address),
                runners.TrueForAll(r => r.IsPoolWorker), poolQueued, field is null || limit is null ? null : (field, limit.Value));
            if (detail is not null)
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = detail;
            }
        }
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
    private static string? LimitField(ClrObject scheduler) =>
        scheduler.Type?.Fields.FirstOrDefault(f => f.ElementType == ClrElementType.Int32 && f.Name is { } n
            && (n.Contains("maxDegree", StringComparison.OrdinalIgnoreCase) || n.Contains("concurrency", StringComparison.OrdinalIgnoreCase)
                || n.Contains("parallelism", StringComparison.OrdinalIgnoreCase)))?.Name;

    private static bool StopAt(ClrType? type) => type is null || type.Name?.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) == true
        || type.Name == "System.Threading.Thread" || WaitRule.DerivesFrom(type, "System.Threading.SynchronizationContext");
}
