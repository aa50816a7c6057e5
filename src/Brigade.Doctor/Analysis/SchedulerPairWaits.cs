using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 54: a thread running a task of a <c>ConcurrentExclusiveSchedulerPair</c> blocked without a timeout on work queued
/// to that same pair, which cannot run while the blocked task does: an exclusive task waiting for anything queued on its pair
/// (the pair runs one exclusive task at a time, and no concurrent task beside it), or a concurrent task waiting for an
/// exclusive one (which waits for the running concurrent tasks to end). The work is an async method whose awaited task has
/// completed and whose continuation sits in the pair's queue (<c>await</c> resumes on the scheduler it started on), or a
/// delegate task queued there, not started. A cycle of one thread. Before, the first read as an async method "suspended at
/// Task.Delay" (the pair's queues were not read) and the second as a task "queued there, not started".
/// </summary>
internal static class SchedulerPairWaits
{
    /// <summary>The start of the wait's detail, which the advice keys on.</summary>
    public const string Marker = "whose continuation is queued on the ";

    /// <summary>The start of the wait's detail for a delegate task queued on the pair (its description says where).</summary>
    public const string TaskMarker = "which cannot start: ";

    private const string PairType = "System.Threading.Tasks.ConcurrentExclusiveSchedulerPair";
    private const string PairSchedulerType = "System.Threading.Tasks.ConcurrentExclusiveSchedulerPair+ConcurrentExclusiveTaskScheduler";

    /// <summary>Marks each such thread as waiting for itself, with what it waits for.</summary>
    public static void Mark(RuntimeReader reader, IEnumerable<ThreadScan> scans)
    {
        foreach (var scan in scans.Where(s => s.Kind == WaitKind.Task && s.Task is not null && !s.IsIdle && !WaitRule.IsTimed(s.Api!)))
        {
            if (RunningOn(reader, scan) is not { } running)
            {
                continue;
            }

            var last = scan.Task!;
            while (last.Awaits is not null)
            {
                last = last.Awaits;
            }

            var queued = reader.Heap.GetObject(last.Address);
            var (exclusive, concurrent) = Schedulers(running.Pair);
            foreach (var (scheduler, isExclusive) in new[] { (exclusive, true), (concurrent, false) })
            {
                // Exclusive running: nothing else of the pair runs. Concurrent running: an exclusive task waits for it to end.
                if (scheduler.IsNull || !(running.Exclusive || isExclusive))
                {
                    continue;
                }

                var side = isExclusive ? "ExclusiveScheduler" : "ConcurrentScheduler";
                var why = running.Exclusive
                    ? "a ConcurrentExclusiveSchedulerPair, which runs one exclusive task at a time and nothing beside it: the task it runs now is this thread's, waiting for it"
                    : "a ConcurrentExclusiveSchedulerPair, whose exclusive tasks wait until its running concurrent tasks end: one of them is this thread's, waiting for it";
                if (last.ResumptionPending && ContinuationQueuedIn(scheduler, queued))
                {
                    scan.Owners.Add(scan.ManagedId);
                    scan.Detail = $"{Marker}{side} of {why} (the awaited task has completed; the method resumes on the scheduler it started on)";
                    break;
                }

                if (last.Status == "WaitingToRun" && QueuedIn(scheduler, queued.Address))
                {
                    scan.Owners.Add(scan.ManagedId);
                    scan.Detail = $"{TaskMarker}it is queued on {why}";
                    break;
                }
            }
        }
    }

    /// <summary>The pair whose task the thread runs, and whether that task is the pair's exclusive one: from the
    /// scheduler of a task the thread executes, else from the pair's processing frame.</summary>
    private static (ClrObject Pair, bool Exclusive)? RunningOn(RuntimeReader reader, ThreadScan scan)
    {
        foreach (var address in scan.RunningTasks)
        {
            var task = reader.Heap.GetObject(address);
            if (task.TryReadObjectField("m_taskScheduler", out var scheduler) && scheduler is { IsNull: false, IsValid: true, Type.Name: PairSchedulerType }
                && scheduler.TryReadObjectField("m_pair", out var pair) && pair is { IsNull: false, IsValid: true })
            {
                return (pair, Schedulers(pair).Exclusive.Address == scheduler.Address);
            }
        }

        return null;
    }

    private static (ClrObject Exclusive, ClrObject Concurrent) Schedulers(ClrObject pair) =>
        (pair.TryReadObjectField("m_exclusiveTaskScheduler", out var exclusive) && exclusive.IsValid ? exclusive : default,
         pair.TryReadObjectField("m_concurrentTaskScheduler", out var concurrent) && concurrent.IsValid ? concurrent : default);

    /// <summary>Whether the box's continuation (its cached MoveNext delegate, or the box itself) is in the scheduler's queue:
    /// <c>await</c> on a scheduler other than the pool's queues a task whose state is that delegate.</summary>
    private static bool ContinuationQueuedIn(ClrObject scheduler, ClrObject box)
    {
        var action = box.TryReadObjectField("m_action", out var cached) ? cached : default;
        return (action is { IsNull: false, IsValid: true } && QueuedIn(scheduler, action.Address)) || QueuedIn(scheduler, box.Address);
    }

    /// <summary>Whether <paramref name="target"/> is reachable from the scheduler's queue (<c>m_tasks</c>) through the tasks
    /// in it, without going through another async method, thread, context or scheduler.</summary>
    private static bool QueuedIn(ClrObject scheduler, ulong target) =>
        scheduler.TryReadObjectField("m_tasks", out var queue) && queue is { IsNull: false, IsValid: true }
        && RuntimeReader.Reaches(queue, target, 10_000, type => type is null || type.Name?.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) == true
            || type.Name == "System.Threading.Thread" || type.Name == PairType
            || WaitRule.DerivesFrom(type, "System.Threading.SynchronizationContext") || WaitRule.DerivesFrom(type, "System.Threading.Tasks.TaskScheduler"));
}
