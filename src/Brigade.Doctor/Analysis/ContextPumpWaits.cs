using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// A thread with a <see cref="System.Threading.SynchronizationContext"/> (a UI thread) blocked without a timeout on a task
/// whose async method has its awaited task completed but has not resumed, the continuation (its MoveNextAction) sitting in
/// that same context's queue. Who runs that queue decides the verdict. Before review 63 it was always this thread ("only
/// this thread can run it"), which is the classic <c>.Result</c> on a UI thread when this thread is the context's pump, and
/// wrong when the pump has ended and this thread merely installed the context (review 62's <c>deadctx</c>).
/// <list type="bullet">
/// <item>The context keeps its pump threads in fields: this thread alone (the others ended) is the classic self-wait;
/// all of them ended, not this one, is a certain one of another cause: the pump is gone, nothing runs the queue; one
/// alive, not this one: it may run it, not marked.</item>
/// <item>Else the stacks that run the context's own code (its loop: a method of its type), or root, below their wait, the
/// context, its queue or an enumerator over it (a loop of the program's own over the context's queue), say: this thread alone is the
/// classic self-wait (the corpus's <c>ui-thread-result</c>); none at all, a possible one (the pump ended, or runs the queue
/// from a loop that is not the context's code, which no dump shows); another thread, not marked.</item>
/// </list>
/// Not when another thread has the same context as its current one (two pumps of one queue, as xunit's
/// MaxConcurrencySyncContext has): the other may run it.
/// </summary>
internal static class ContextPumpWaits
{
    /// <summary>The start of the classic self-wait's detail.</summary>
    public const string SelfMarker = "whose continuation is queued on this thread's SynchronizationContext (";

    /// <summary>The start of the detail when the context's pump threads, kept in its fields, have all ended.</summary>
    public const string PumpGoneMarker = "whose continuation is queued on a SynchronizationContext whose pump has ended: ";

    /// <summary>The start of the detail when no thread is seen running the context's queue (a possible self-wait).</summary>
    public const string MayPumpGoneMarker = "whose continuation is queued on a SynchronizationContext no thread is seen pumping: ";

    /// <summary>Marks each such thread as waiting for itself, with what it waits for.</summary>
    public static void Mark(RuntimeReader reader, IReadOnlyList<ThreadScan> scans)
    {
        var heap = reader.Heap;
        foreach (var scan in scans.Where(s => s.Kind == WaitKind.Task && s.Task is not null && !s.SyncContext.IsNull && !s.IsIdle && !WaitRule.IsTimed(s.Api!)))
        {
            var context = scan.SyncContext;
            if (scans.Any(other => other != scan && !other.SyncContext.IsNull && other.SyncContext.Address == context.Address))
            {
                continue;
            }

            var last = AsyncFindings.Leaf(scan.Task!);
            if (!last.ResumptionPending || !RuntimeReader.ContinuationQueuedOn(context, heap.GetObject(last.Address)))
            {
                continue;
            }

            var name = context.Type?.Name?.Replace('+', '.') ?? "?";
            var (fieldThreads, field) = CustomSchedulerWaits.ThreadObjectsInFields(heap, context);
            if (fieldThreads.Count > 0)
            {
                var others = fieldThreads.Where(t => Id(t) != scan.ManagedId).ToList();
                if (others.Exists(t => !HasEnded(reader, scans, t)))
                {
                    continue;
                }

                scan.Owners.Add(scan.ManagedId);
                scan.Detail = others.Count == fieldThreads.Count
                    ? $"{PumpGoneMarker}{name} runs its queue on the thread{(others.Count == 1 ? "" : "s")} in its field {field}, "
                        + $"{string.Join(", ", others.Select(Describe))}, which {(others.Count == 1 ? "has" : "have all")} ended; "
                        + "this thread installed it as its own but does not run that queue: no thread will"
                    : $"{SelfMarker}{name}; its pump thread, in its field {field})";
                continue;
            }

            var queues = QueuesOf(context);
            var loops = scans.Where(s => s.Frames.Exists(f => RunsLoopOf(f, context.Type?.Name))
                || s.Frames.Skip(Math.Max(s.WaitFrame + 1, 0)).Any(f => !f.IsFramework && f.Roots.Exists(r => r.Address == context.Address || queues.Contains(r.Address) || Enumerates(r, queues))))
                .Select(s => s.ManagedId).Distinct().ToList();
            if (loops.Count == 1 && loops[0] == scan.ManagedId)
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = $"{SelfMarker}{name})";
            }
            else if (loops.Count == 0)
            {
                scan.Owners.Add(scan.ManagedId);
                scan.Detail = $"{MayPumpGoneMarker}{name}, which this thread installed as its own, keeps no thread in a field, and no stack runs its code "
                    + "(this one shows no loop of it below this wait); if its pump has ended, no thread will run the continuation";
            }
        }
    }

    /// <summary>Whether a wait's detail is one of <see cref="Mark"/>'s that does not blame this thread's own loop.</summary>
    public static bool IsPumpGone(string? detail) => detail is not null
        && (detail.StartsWith(PumpGoneMarker, StringComparison.Ordinal) || detail.StartsWith(MayPumpGoneMarker, StringComparison.Ordinal));

    /// <summary>Whether the frame runs the context's own code (its loop: a method of its type or of a type nested in it),
    /// not a call into it from elsewhere (<c>Post</c>, <c>Send</c>, the base class's members).</summary>
    private static bool RunsLoopOf(FrameScan frame, string? context) => context is not null
        && (frame.TypeName == context || frame.TypeName.StartsWith(context + "+", StringComparison.Ordinal))
        && frame.MethodName is not ("Post" or "Send" or "CreateCopy" or "OperationStarted" or "OperationCompleted" or "Wait" or ".ctor");

    /// <summary>The objects the context refers to directly (its queue, its lock), which a loop that pumps it roots on its
    /// stack when the loop is not the context's own code (<c>foreach (var item in context.Queue.GetConsumingEnumerable())</c>
    /// in the program's <c>Run</c>).</summary>
    private static HashSet<ulong> QueuesOf(ClrObject context)
    {
        var refs = new HashSet<ulong>();
        try
        {
            foreach (var next in context.EnumerateReferences(carefully: true, considerDependantHandles: false))
            {
                if (next is { IsNull: false, IsValid: true } && next.Type?.Name is { } n && n != "System.String" && n != "System.Threading.Thread")
                {
                    refs.Add(next.Address);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            // An unreadable object: no queue known.
        }

        return refs;
    }

    /// <summary>Whether a rooted object is an enumerator (a <c>GetConsumingEnumerable</c> iterator, a collection's
    /// <c>Enumerator</c>) over one of the context's queues: the frame is that queue's loop.</summary>
    private static bool Enumerates(ClrObject root, HashSet<ulong> queues)
    {
        if (queues.Count == 0 || root.Type?.Name is not { } name || !(name.Contains("Enumerator", StringComparison.Ordinal) || name.Contains("<GetConsumingEnumerable>", StringComparison.Ordinal)))
        {
            return false;
        }

        try
        {
            return root.EnumerateReferences(carefully: true, considerDependantHandles: false).Any(r => queues.Contains(r.Address));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return false;
        }
    }

    private static int Id(ClrObject thread) => thread.TryReadField<int>("_managedThreadId", out var id) ? id : 0;

    /// <summary>Whether the thread was started and has ended: no live thread has its id, and the runtime's thread store
    /// holds it as dead or no longer at all (a thread not started yet is there, unstarted).</summary>
    private static bool HasEnded(RuntimeReader reader, IReadOnlyList<ThreadScan> scans, ClrObject thread)
    {
        var id = Id(thread);
        if (scans.Any(s => s.ManagedId == id))
        {
            return false;
        }

        var stored = reader.Runtime.Threads.FirstOrDefault(t => t.ManagedThreadId == id);
        return stored is null || (!stored.IsAlive && (stored.State & ClrThreadState.TS_Unstarted) == 0);
    }

    private static string Describe(ClrObject thread) =>
        thread.TryReadStringField("_name", null, out var name) && !string.IsNullOrEmpty(name) ? $"thread '{name}' (#{Id(thread)})" : $"thread #{Id(thread)}";
}
