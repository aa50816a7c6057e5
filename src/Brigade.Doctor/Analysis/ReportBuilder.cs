using System.Globalization;
using System.Text;
using Brigade.Diagnostics;

namespace Brigade.Doctor.Analysis;

/// <summary>Turns the findings into Brigade reports, with the stable prefixes of <see cref="PitfallCodes"/>.</summary>
internal static class ReportBuilder
{
    private const int MaxListed = 10;
    private const int MaxStackFrames = 12;

    public static List<DoctorReport> Build(DateTimeOffset now, List<DeadlockCycle> deadlocks, ThreadPoolSnapshot? pool, List<DiagnosedThread> poolSyncOverAsync, List<DiagnosedThread> threads,
        List<AsyncFindings.Hang> asyncHangs, List<(List<DiagnosedThread> Waiters, EndedReleasers.Found Found)>? endedReleasers = null,
        List<OwnerlessHangs.Found>? ownerless = null, List<DeadlockCycle>? livelocks = null)
    {
        var reports = new List<DoctorReport>();
        foreach (var cycle in deadlocks)
        {
            reports.Add(cycle.AwaitCycle is { } awaits
                ? new DoctorReport(PitfallKind.Deadlock, AwaitDeadlock(cycle, awaits), now, cycle.AlsoStuck)
                : cycle.AsyncLinks.Count > 0
                ? new DoctorReport(PitfallKind.Deadlock, AsyncDeadlock(cycle), now, cycle.AlsoStuck)
                : new DoctorReport(PitfallKind.Deadlock, Deadlock(cycle), now, [.. cycle.Threads]));
        }

        foreach (var cycle in livelocks ?? [])
        {
            reports.Add(new DoctorReport(PitfallKind.Livelock, Livelock(cycle), now, [.. cycle.Threads]));
        }

        foreach (var hang in asyncHangs)
        {
            // The threads that took a slot with Wait() and cannot go on are part of the hang, not bystanders.
            reports.Add(new DoctorReport(PitfallKind.Hang, AsyncHang(hang), now,
                [hang.Thread, .. hang.ThreadHolders.Values.SelectMany(l => l).Select(h => h.Thread).Where(t => t != hang.Thread).Distinct()]));
        }

        foreach (var (waiters, found) in endedReleasers ?? [])
        {
            reports.Add(new DoctorReport(PitfallKind.Hang, EndedReleaser(waiters, found), now, waiters));
        }

        // Review 71: the proven ones, then the possible ones, each a hang of its own.
        foreach (var group in (ownerless ?? []).GroupBy(f => f.Certain).OrderByDescending(g => g.Key))
        {
            var found = group.ToList();
            reports.Add(new DoctorReport(PitfallKind.Hang, OwnerlessHang(found, group.Key), now, [.. found.Select(f => f.Thread)]));
        }

        if (pool is { IsStarved: true })
        {
            var blocked = threads.Where(t => t.IsThreadPoolWorker && !t.IsIdle && t.Wait is not null).ToList();
            reports.Add(new DoctorReport(PitfallKind.ThreadPoolStarvation, Starvation(pool, blocked), now, blocked));
        }
        else if (poolSyncOverAsync.Count > 0)
        {
            reports.Add(new DoctorReport(PitfallKind.Hang, SyncOverAsync(poolSyncOverAsync), now, poolSyncOverAsync));
        }

        return reports;
    }

    /// <summary>Describes one thread's wait in a sentence, from "waits in".</summary>
    public static string DescribeWait(DiagnosedThread thread, IReadOnlyCollection<ulong>? showAddressOf = null)
    {
        var wait = thread.Wait!;
        var text = new StringBuilder($"{thread} waits in {wait.Api}");
        if (wait.Kind == WaitKind.Task && wait.Task is not null)
        {
            text.Append(" for ").Append(wait.Task);
        }
        else if (wait.Target is not null)
        {
            text.Append(wait.Kind == WaitKind.ThreadJoin ? " for " : " on ").Append(wait.Target.TypeName);
            if (wait.Target.HeldIn is not null)
            {
                text.Append(" (").Append(wait.Target.HeldIn).Append(')');
            }

            if (showAddressOf?.Contains(wait.Target.Address) == true)
            {
                text.Append(CultureInfo.InvariantCulture, $" @{wait.Target.Address:x}");
            }
        }

        if (wait.Detail is not null)
        {
            text.Append(", ").Append(wait.Detail);
        }

        if (wait.Site is not null)
        {
            text.Append(" at ").Append(wait.Site);
        }

        return text.ToString();
    }

    /// <summary>The addresses of the waited objects that share their type and name with another one (two instances of
    /// one class, each waited through its own <c>field Room._members</c>): the text tells them apart by address.</summary>
    public static HashSet<ulong> NamedAlike(IEnumerable<ThreadWait> waits) =>
        [.. waits.Where(w => w.Kind != WaitKind.Task && w.Target is not null).Select(w => w.Target!)
            .GroupBy(t => (t.TypeName, t.HeldIn)).Where(g => g.Select(t => t.Address).Distinct().Count() > 1)
            .SelectMany(g => g.Select(t => t.Address))];

    public static void AppendStack(StringBuilder text, DiagnosedThread thread, string indent)
    {
        text.Append(indent).Append(thread).Append(", OS thread ").Append(thread.OSThreadId).Append(':').Append('\n');
        foreach (var frame in thread.Frames.Take(MaxStackFrames))
        {
            text.Append(indent).Append("  at ").Append(frame).Append('\n');
        }

        if (thread.Frames.Count > MaxStackFrames)
        {
            text.Append(indent).Append($"  ... {thread.Frames.Count - MaxStackFrames} more frames").Append('\n');
        }
    }

    // What a possible cycle depends on, before "it can never proceed" (review 56: a possible one-thread cycle, a TryEnter
    // or a TaskScheduler of the program's own, read as certain in its first line; the paragraph below it said "possible").
    private static string Unless(DeadlockCycle cycle) =>
        !cycle.IsPossible ? ""
        : cycle.Links.Any(l => WaitRule.TimeoutUnknown(l.Wait.Api)) ? (cycle.Links.Count == 1 ? "unless its TryEnter has a finite timeout, " : "unless a TryEnter below has a finite timeout, ")
        : cycle.Links.Any(l => l.Wait.Detail?.StartsWith(CustomSchedulerWaits.Marker, StringComparison.Ordinal) == true) ? "unless its scheduler starts the task some other way, "
        : cycle.Links.Any(l => l.Wait.Detail?.StartsWith(CustomSchedulerWaits.MayContinuationMarker, StringComparison.Ordinal) == true) ? "unless its scheduler runs its queue on another thread, "
        : cycle.Links.Any(l => l.Wait.Detail?.StartsWith(ContextPumpWaits.MayPumpGoneMarker, StringComparison.Ordinal) == true) ? "unless a thread the dump does not show pumping that context runs its queue, "
        : cycle.Links.Any(l => l.Wait.Detail?.Contains(OwnCompletion, StringComparison.Ordinal) == true) ? "unless other code releases the slot or completes that source, "
        : cycle.Links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.CompletesAfterLock, StringComparison.Ordinal) == true)
            ? "unless other code completes that source, "
        : HasRole(cycle, DumpAnalyzer.AcquiredMutex) ? "unless a Mutex was released by code the dump does not show, "
        : HasRole(cycle, DumpAnalyzer.SetsAfterWait) ? "unless code the dump does not show sets the event, "
        : HasRole(cycle, DumpAnalyzer.HandleReleasedAfterLock) ? "unless code the dump does not show releases the semaphore, "
        : HasRole(cycle, DumpAnalyzer.TakesAfterLock) ? "unless code the dump does not show takes an item from the collection, "
        : HasRole(cycle, DumpAnalyzer.AddsAfterLock) ? "unless code the dump does not show adds an item to the collection, "
        : HasRole(cycle, DumpAnalyzer.ReadsAfterLock) ? "unless code the dump does not show reads an item from the channel, "
        : HasRole(cycle, DumpAnalyzer.PulsedAfterLock) ? "unless code the dump does not show pulses the object, "
        : cycle.Links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.SignalsAfterLock, StringComparison.Ordinal) == true)
            ? (cycle.Links.Any(l => l.Wait.Api.StartsWith("Barrier.", StringComparison.Ordinal)) ? "unless code the dump does not show arrives at the barrier, " : "unless code the dump does not show signals the countdown, ")
        : "unless a semaphore slot was released by code the dump does not show, ";

    /// <summary>Review 66: whether every holder named in a role starting with <paramref name="prefix"/> waits in
    /// <c>Thread.Join</c> (it sets the event after joining the waiter), not for a lock.</summary>
    private static bool SetterJoins(DeadlockCycle cycle, string prefix) => SetterJoinsIn(cycle.Links, prefix);

    private static bool SetterJoinsIn(IEnumerable<DeadlockLink> links, string prefix)
    {
        var setters = links.Where(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(prefix, StringComparison.Ordinal) == true).ToList();
        return setters.Count > 0 && setters.TrueForAll(l => l.Holder.Wait?.Kind == WaitKind.ThreadJoin);
    }

    /// <summary>Whether a link of <paramref name="cycle"/> names its holder in a role starting with <paramref name="prefix"/>.</summary>
    private static bool HasRole(DeadlockCycle cycle, string prefix) =>
        cycle.Links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(prefix, StringComparison.Ordinal) == true);

    /// <summary>Review 57: the words by which a semaphore wait says its own thread completes what the slot's holder awaits.</summary>
    internal const string OwnCompletion = "; this thread's own code completes that source after this Wait";

    private static string Deadlock(DeadlockCycle cycle)
    {
        if (cycle.SlotTakenAt is { } takenAt)
        {
            return SemaphoreSelfWait(cycle, takenAt);
        }

        if (cycle.Throttle is { } throttle)
        {
            return ThrottleDeadlock(cycle, throttle);
        }

        if (cycle.Links is [{ Wait.Detail: { } detail } only] && detail.Contains(OwnCompletion, StringComparison.Ordinal))
        {
            return SlotHolderAwaitsThisThread(cycle, only);
        }

        var kinds = cycle.Links.Select(l => l.Wait.Kind).Distinct().ToList();
        var alike = NamedAlike(cycle.Links.Select(l => l.Wait));
        var text = new StringBuilder();
        var joinsItself = cycle.Links.Count == 1 && kinds.SequenceEqual([WaitKind.ThreadJoin]);
        var pumpGone = cycle.Links.Count == 1 && ContextPumpWaits.IsPumpGone(cycle.Links[0].Wait.Detail);
        text.Append(joinsItself
            ? $"Deadlock detected: {cycle.Links[0].Waiter} joins itself (Thread.Join on its own thread); it can never proceed.\n"
            : pumpGone
            ? $"Deadlock detected: {cycle.Links[0].Waiter} waits for work that no thread runs ({string.Join(", ", KindNames(cycle.Links))}): it is queued on a SynchronizationContext whose pump {(cycle.IsPossible ? "is not seen" : "has ended")}; {Unless(cycle)}it can never proceed.\n"
            : cycle.Links.Count == 1
            ? $"Deadlock detected: {cycle.Links[0].Waiter} waits for work that only it can run ({string.Join(", ", KindNames(cycle.Links))}); {Unless(cycle)}it can never proceed.\n"
            : $"Deadlock detected: {cycle.Links.Count} threads wait for each other in a cycle ({string.Join(", ", KindNames(cycle.Links))}); {Unless(cycle)}none of them can ever proceed.\n");
        for (var i = 0; i < cycle.Links.Count; i++)
        {
            var link = cycle.Links[i];
            text.Append($"  {i + 1}. ").Append(DescribeWait(link.Waiter, alike));
            text.Append(joinsItself ? ""
                : pumpGone ? (cycle.IsPossible ? ": no thread is seen running that queue, and this one is waiting" : ": no thread runs that queue, and this one is waiting")
                : link.Waiter.ManagedThreadId == link.Holder.ManagedThreadId
                ? ": only this thread can run it, and it is waiting"
                : $", {Relation(link)} {link.Holder}").Append('\n');
        }

        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, cycle.Links.Count == 1);
        }

        var tries = cycle.Links.Where(l => WaitRule.TimeoutUnknown(l.Wait.Api)).Select(l => l.Waiter.ToString()).ToList();
        if (cycle.IsPossible && tries.Count > 0)
        {
            text.Append($"  A possible deadlock: {string.Join(", ", tries)} wait{(tries.Count == 1 ? "s" : "")} in TryEnter, whose timeout a dump cannot show. ")
                .Append("With Timeout.Infinite (or -1) it is a deadlock; with a finite timeout the wait gives up, unless the code retries it.\n");
        }

        var releasedBehind = cycle.Links.Any(l => l.Wait.Kind == WaitKind.SemaphoreSlim && l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.ReleasesAfterLock, StringComparison.Ordinal) == true);
        if (cycle.IsPossible && releasedBehind)
        {
            // Review 59: a Wait() under a lock whose releaser needs that lock first.
            text.Append("  A possible deadlock: a SemaphoreSlim records no owner. The dump shows no free slot, and the thread waiting for the lock calling Release on this semaphore after that lock; ")
                .Append("unless other code releases a slot, it is a deadlock. Do not block on a semaphore (Wait()) while holding a lock its releaser takes first: wait for the slot before taking the lock, or release outside it.\n");
        }
        else if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.SignalsAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 60: a Barrier or CountdownEvent waited on under a lock its missing participant takes first.
            text.Append("  A possible deadlock: a Barrier or a CountdownEvent records no owner. The dump shows it short of arrivals or signals, and the thread waiting for the lock arriving at it or signalling it after that lock; ")
                .Append("unless other code does so instead, it is a deadlock. Do not wait on a Barrier or a CountdownEvent while holding a lock its participants take first: leave the lock before you wait.\n");
        }
        else if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.TakesAfterLock))
        {
            // Review 64: a producer blocked on a full BlockingCollection under a lock its only taker needs first.
            text.Append("  A possible deadlock: a BlockingCollection records no consumer. The dump shows it full, and the thread waiting for the lock taking from it after that lock; ")
                .Append("unless other code takes an item, it is a deadlock. Do not add to a bounded collection while holding a lock its consumer takes first: add outside the lock, or use TryAdd with a timeout.\n");
        }
        else if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.AddsAfterLock))
        {
            // Review 66: a consumer blocked in Take on an empty BlockingCollection under a lock its producer takes first.
            text.Append("  A possible deadlock: a BlockingCollection records no producer. The dump shows a thread taking from it with no timeout, and the thread waiting for the taker's lock adding to it after that lock; ")
                .Append("unless other code adds an item, it is a deadlock. Take from the collection after leaving the lock (or add before taking it).\n");
        }
        else if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.ReadsAfterLock))
        {
            // Review 64b: a writer blocked on a full bounded Channel under a lock its only reader needs first.
            text.Append("  A possible deadlock: a Channel records no reader. The dump shows it full, and the thread waiting for the lock reading from it after that lock; ")
                .Append("unless other code reads an item, it is a deadlock. Do not wait for room in a bounded channel while holding a lock its reader takes first: write outside the lock, or use TryWrite.\n");
        }
        else if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.PulsedAfterLock))
        {
            // Doctor67: nested monitor lockout: Monitor.Wait lets go of the object it waits on, not of the other locks its thread holds.
            text.Append("  A possible deadlock: Monitor.Wait records no one who will pulse. It lets go of the lock of the object it waits on, and of no other; the dump shows its thread holding another lock, and the thread waiting for that lock pulsing the object after it; ")
                .Append("unless other code pulses it, it is a deadlock (a nested monitor lockout). Hold no other lock while you call Monitor.Wait, or have the pulser take only the waited object's lock.\n");
        }
        else if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.Kind == WaitKind.SemaphoreSlim))
        {
            // Review 44: a SemaphoreSlim wait whose slot a suspended async flow took, awaiting work that runs on a thread in the cycle.
            text.Append("  A possible deadlock: a SemaphoreSlim records no owner. The dump shows the async flow suspended past its await of this semaphore's WaitAsync(), ")
                .Append("with no Release of it on the way, and the semaphore with no free slot; if no other code released that slot, it is a deadlock. ")
                .Append("Do not hold an async lock (SemaphoreSlim(1, 1)) while awaiting work that takes a lock its waiters hold, and do not block on the semaphore (Wait()) while holding a lock: await WaitAsync outside it.\n");
        }

        if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.SetsAfterWait))
        {
            // Review 64: an event whose setter first waits for the waiter (Join) or for a lock the waiter holds. Review 65b: or a
            // ManualResetEvent or AutoResetEvent (WaitOne() under a lock its setter takes first). Review 66: the fix named
            // after what the setter waits for: "join" only when it joins the waiter (it read so for a lock, too).
            var handleEvent = cycle.Links.Any(l => l.Wait.Kind == WaitKind.WaitHandle && l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.SetsAfterWait, StringComparison.Ordinal) == true);
            text.Append(handleEvent
                    ? "  A possible deadlock: a ManualResetEvent or AutoResetEvent records no owner. The dump shows a thread waiting on it with no timeout (WaitOne, WaitAny or WaitAll), and the thread waiting for its waiter's lock setting it after that lock; "
                    : "  A possible deadlock: a ManualResetEventSlim records no owner. The dump shows it not set, and the thread waiting for its waiter (its Join, or its lock) setting it after that wait; ")
                .Append("unless other code sets it, it is a deadlock. ")
                .Append(SetterJoins(cycle, DumpAnalyzer.SetsAfterWait)
                    ? "Set the event before you join the thread that waits for it, or wait with a timeout.\n"
                    : "Set the event outside the lock (before taking it, or after leaving it), and do not wait for an event while holding a lock its setter needs, or wait with a timeout.\n");
        }

        if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.HandleReleasedAfterLock))
        {
            // Review 66: a kernel Semaphore waited on (WaitOne, WaitAny, WaitAll) under a lock its releaser takes first.
            text.Append("  A possible deadlock: a Semaphore records no owner. The dump shows a thread waiting on it with no timeout, and the thread waiting for its waiter's lock releasing it after that lock; ")
                .Append("unless other code releases it, it is a deadlock. Release the semaphore outside the lock, and do not wait on it while holding a lock its releaser needs, or wait with a timeout.\n");
        }

        if (cycle.IsPossible && HasRole(cycle, DumpAnalyzer.AcquiredMutex))
        {
            // Review 66: a Mutex's owner is not in the dump (the runtime's native wait subsystem keeps it); its holder's code is.
            text.Append("  A possible deadlock: the dump does not hold a Mutex's owner (the runtime keeps it outside the managed heap). The stack of each thread named as its holder shows a method that called WaitOne() on this very Mutex, with no ReleaseMutex since; ")
                .Append("unless that code released it on a path or in a call the dump does not show, it is a deadlock. Take Mutexes and locks in one global order, and release a Mutex before waiting for a lock or a Mutex its waiters hold.\n");
        }

        if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.CompletesAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 63: a TaskCompletionSource's task waited on under a lock its setter takes first.
            text.Append("  A possible deadlock: a TaskCompletionSource records no owner, and which source the thread waiting for the lock completes after it is not read from the dump (only that its code completes one of this type). ")
                .Append("If it is this one, and no other code completes it, it is a deadlock. Do not wait for a task (Wait(), .Result) while holding a lock its completer takes first: complete the source outside the lock, or leave the lock before you wait.\n");
        }

        if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.Detail?.StartsWith(CustomSchedulerWaits.MayContinuationMarker, StringComparison.Ordinal) == true))
        {
            text.Append("  A possible deadlock: which threads a TaskScheduler of the program's own runs is not in the dump when it keeps none in a field. ")
                .Append("The dump shows the continuation queued on it and this thread, blocked, as the only one running its code; unless that scheduler starts another thread for its queue, it is a deadlock.\n");
        }

        if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.Detail?.StartsWith(ContextPumpWaits.MayPumpGoneMarker, StringComparison.Ordinal) == true))
        {
            text.Append("  A possible deadlock: which thread pumps a SynchronizationContext is not in the dump when the context keeps none in a field. ")
                .Append("The dump shows the continuation queued on it, and no thread running its code (this one, blocked, shows no loop of it below its wait); unless a loop that is not the context's own code runs its queue, it is a deadlock.\n");
        }

        if (cycle.IsPossible && cycle.Links.Any(l => l.Wait.Detail?.StartsWith(CustomSchedulerWaits.Marker, StringComparison.Ordinal) == true))
        {
            text.Append("  A possible deadlock: a TaskScheduler of the program's own decides when its queued tasks start, which a dump cannot ask. ")
                .Append("The dump shows the awaited task queued on it, not started, every thread running its tasks blocked so, and no work item in the thread pool's queue; unless that scheduler starts it some other way, it is a deadlock.\n");
        }

        foreach (var link in cycle.Links)
        {
            if (InlineContinuation(link.Waiter) is { } inline)
            {
                text.Append("  ").Append(inline).Append('\n');
            }
        }

        text.Append(Advice(cycle.Links, selfWait: cycle.Links.Count == 1)).Append('\n');
        text.Append("Stacks:\n");
        foreach (var link in cycle.Links)
        {
            AppendStack(text, link.Waiter, "  ");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Review 72: threads each holding a lock the next one tries to take with a <c>TryEnter</c> whose caller passes
    /// a finite literal timeout (<c>Monitor.TryEnter(other, 20)</c>): each gives up, so none waits for ever; a loop that
    /// retries keeps them failing while they retry in step (a polite livelock), never a deadlock.</summary>
    private static string Livelock(DeadlockCycle cycle)
    {
        var alike = NamedAlike(cycle.Links.Select(l => l.Wait));
        var text = new StringBuilder();
        text.Append(cycle.Links.Count == 1
            ? $"Livelock detected: {cycle.Links[0].Waiter} tries, with TryEnter and a finite timeout, a lock it holds itself ({string.Join(", ", KindNames(cycle.Links))}); it gives up each time, and fails again each time it retries.\n"
            : $"Livelock detected: {cycle.Links.Count} threads retry each other's locks in a cycle ({string.Join(", ", KindNames(cycle.Links))}): each holds a lock the next one tries to take with TryEnter and a finite timeout, so none waits for ever (not a deadlock), "
                + "but each gives up, and while they retry in step they keep failing: a possible livelock.\n");
        for (var i = 0; i < cycle.Links.Count; i++)
        {
            var link = cycle.Links[i];
            text.Append($"  {i + 1}. ").Append(DescribeWait(link.Waiter, alike)).Append($", {Relation(link)} {link.Holder}").Append('\n');
        }

        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, cycle.Links.Count == 1);
        }

        text.Append("Take the locks in one global order so no cycle can form; or, when a TryEnter fails, release every lock you hold and back off for a random time (jitter) before you retry, so the threads stop retrying in step.\n");
        text.Append("Stacks:\n");
        foreach (var link in cycle.Links)
        {
            AppendStack(text, link.Waiter, "  ");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Review 58: a thread whose wait is in an async method's continuation that runs inline, inside a
    /// <c>TaskCompletionSource</c>'s <c>SetResult</c> (or <c>TrySetResult</c>, <c>SetException</c>...) further down its
    /// stack: the await resumed synchronously in the completing thread, under every lock its caller holds (a source created
    /// without <c>RunContinuationsAsynchronously</c>). Null when the stack shows no such thing.</summary>
    internal static string? InlineContinuation(DiagnosedThread thread)
    {
        var frames = thread.Frames;
        var resumed = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            var method = frames[i].Method;
            if (resumed < 0 && method.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) && method.EndsWith(".MoveNext", StringComparison.Ordinal))
            {
                resumed = i;
            }
            else if (resumed >= 0 && method.StartsWith("System.Threading.Tasks.TaskCompletionSource", StringComparison.Ordinal)
                && method[(method.LastIndexOf('.') + 1)..] is "SetResult" or "TrySetResult" or "SetException" or "TrySetException" or "SetCanceled" or "TrySetCanceled" or "SetFromTask" or "TrySetFromTask")
            {
                if (frames.Skip(resumed + 1).Take(i - resumed - 1).Any(f => !f.IsFramework))
                {
                    return null;
                }

                // SetResult calls TrySetResult: name the outermost, the one the caller called.
                while (i + 1 < frames.Count && frames[i + 1].Method.StartsWith("System.Threading.Tasks.TaskCompletionSource", StringComparison.Ordinal))
                {
                    i++;
                }

                method = frames[i].Method;
                var api = $"TaskCompletionSource.{method[(method.LastIndexOf('.') + 1)..]}";
                var caller = frames.Skip(i + 1).FirstOrDefault(f => !f.IsFramework);
                var machine = frames.Take(resumed).LastOrDefault(f => !f.IsFramework);
                return $"{thread} runs an await's continuation inline{(machine is null ? "" : $" ({machine})")}: it resumed inside {api}"
                    + (caller is null ? "" : $", called at {caller}") + ", on the thread that completed the task and under every lock that thread holds there. "
                    + "Create the TaskCompletionSource with TaskCreationOptions.RunContinuationsAsynchronously, or complete it after releasing the lock.";
            }
        }

        return null;
    }

    /// <summary>Review 57: a thread in <c>SemaphoreSlim.Wait</c> whose slot an async flow holds while awaiting a completion
    /// source that this thread's own method completes after the wait.</summary>
    private static string SlotHolderAwaitsThisThread(DeadlockCycle cycle, DeadlockLink link)
    {
        var text = new StringBuilder();
        text.Append($"Deadlock detected: {link.Waiter} waits on a SemaphoreSlim whose only slot an async flow holds while it awaits a TaskCompletionSource that this thread completes only after its wait; unless other code releases the slot or completes that source, it can never proceed.\n");
        text.Append("  1. ").Append(DescribeWait(link.Waiter)).Append('\n');
        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, single: true);
        }

        text.Append("  A possible deadlock: neither a SemaphoreSlim nor a TaskCompletionSource records an owner. The dump shows the flow suspended past its await of this semaphore's WaitAsync(), with no Release of it on the way, the semaphore with no free slot, ")
            .Append("and this thread's method calling the source's completion after its Wait (in IL order, both through static fields); if nothing else releases the slot or completes the source, it is a deadlock.\n");
        text.Append("Do not hold an async lock across an await of work that needs the lock: complete the source before taking the lock (reply, then Wait), release the lock before awaiting the reply, or await the reply with a timeout (task.WaitAsync(timeout, token)).\n");
        text.Append("Stacks:\n");
        AppendStack(text, link.Waiter, "  ");
        return text.ToString().TrimEnd('\n');
    }

    // The threads blocked behind a cycle (at most MaxListed named): "  Stuck behind it: #7, #8 and 2 more.".
    private static void AppendStuck(StringBuilder text, DeadlockCycle cycle, bool single) =>
        text.Append(single ? "  Stuck behind it: " : "  Stuck behind them: ")
            .Append(string.Join(", ", cycle.AlsoStuck.Take(MaxListed)))
            .Append(cycle.AlsoStuck.Count > MaxListed ? $" and {cycle.AlsoStuck.Count - MaxListed} more" : "")
            .Append(".\n");

    private static string SemaphoreSelfWait(DeadlockCycle cycle, string takenAt)
    {
        var link = cycle.Links[0];
        var text = new StringBuilder();
        text.Append($"Deadlock detected: {link.Waiter} waits on a SemaphoreSlim whose only slot it took itself (SemaphoreSlim is not reentrant); unless the slot is released by code the dump does not show, it can never proceed.\n");
        text.Append("  1. ").Append(DescribeWait(link.Waiter)).Append($": this thread took its slot earlier in {takenAt}, and has not released it\n");
        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, single: true);
        }

        text.Append("  A possible deadlock: a SemaphoreSlim records no owner. The stack shows a method that called Wait on this semaphore (or an async method, still running, past its await of WaitAsync()), with no Release of it on the way, ")
            .Append("and the semaphore has no free slot of its one; if no other thread releases it, it is a deadlock.\n");
        text.Append("Do not call back into code that takes the same SemaphoreSlim while holding it (raise events and run callbacks after Release), or use a reentrant lock (lock/Monitor).\n");
        text.Append("Stacks:\n");
        AppendStack(text, link.Waiter, "  ");
        return text.ToString().TrimEnd('\n');
    }

    private static string ThrottleDeadlock(DeadlockCycle cycle, ThrottleDeadlocks.Throttle throttle)
    {
        var text = new StringBuilder();
        var holders = throttle.Holders;
        var slots = holders.Count == 1 ? "its only slot" : $"all {holders.Count} slots";
        var work = throttle.OnlyLoops
            ? (holders.Count == 1 ? "a Parallel.ForEachAsync whose bodies wait" : "Parallel.ForEachAsync loops whose bodies wait")
            : throttle.AnyLoop ? "Parallel.ForEachAsync loops and Task.WhenAll joins whose flows wait" : "Task.WhenAll joins whose flows wait";
        text.Append(holders.Count == 1
                ? $"Deadlock detected: {holders[0].Thread} holds the only slot of a SemaphoreSlim and waits for {work} on that semaphore (a throttle held across a blocking wait on work that needs it); "
                : $"Deadlock detected: {holders.Count} threads hold all {holders.Count} slots of a SemaphoreSlim and wait for {work} on that semaphore (a throttle held across a blocking wait on work that needs it); ")
            .Append(throttle.TimedHolders > 0 ? "unless a WaitAsync(timeout) below returned false, a slot is released by code the dump does not show, " : "unless a slot is released by code the dump does not show, ")
            .Append("or a CancellationToken below is cancelled, ").Append(holders.Count == 1 ? "it" : "none of them").Append(" can ever proceed.\n");
        text.Append("  ").Append(throttle.Semaphore).Append($": {slots} taken by ")
            .Append(string.Join(", ", holders.Select(h => $"{h.Thread} (in {h.At})"))).Append('\n');
        var i = 0;
        foreach (var (thread, bodies) in throttle.Waiting)
        {
            var waits = bodies.Select(b => AsyncFindings.Leaf(b).Description).Distinct(StringComparer.Ordinal).ToList();
            var what = throttle.OnlyLoops ? (bodies.Count == 1 ? "body waits" : "bodies wait") : bodies.Count == 1 ? "flow waits" : "flows wait";
            text.Append($"  {++i}. ").Append(DescribeWait(thread)).Append($"; {bodies.Count} of its {what} in ")
                .Append(string.Join("; ", waits)).Append('\n');
        }

        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, single: false);
        }

        text.Append("  A possible deadlock: a SemaphoreSlim records no owner. Each holder's stack shows an async method, still running, past its await of this semaphore's WaitAsync() ")
            .Append("(or WaitAsync(token) with its token not cancelled: the wait ended with a slot), or a Wait(), with no Release of it on the way: as many holders as the semaphore has slots, ")
            .Append(throttle.OnlyLoops ? "each blocked without a timeout on a loop that needs a body waiting for a slot " : "each blocked without a timeout on work that needs a flow waiting for a slot ")
            .Append("(with no timeout, and a token no code has cancelled and no timer will). ")
            .Append(throttle.TimedHolders > 0
                ? "A holder that asked with WaitAsync(timeout) went on past the wait, which returns whether it got the slot (the dump does not keep the answer): when the code goes on only on true (if (!await gate.WaitAsync(timeout)) return;), it holds one; with the semaphore at 0 and no other code shown holding a slot, it is counted. "
                : "")
            .Append("If no other code releases a slot and no token is cancelled, it is a deadlock.\n");
        text.Append(throttle.OnlyLoops
            ? "Do not block (.Wait(), .Result) while holding a throttle's slot on work that takes the same throttle, as a nested Parallel.ForEachAsync does: await the nested loop instead and take the slot only around the work itself, or give the nested work a throttle of its own.\n"
            : "Do not block (.Wait(), .Result) while holding a throttle's slot on work that takes the same throttle, as a nested Task.WhenAll of Task.Run flows does: take the slot only around the work itself (not around the wait for the nested work), or give the nested work a throttle of its own.\n");
        text.Append(throttle.OnlyLoops ? "Async stacks of the waiting bodies (outermost method first):\n" : "Async stacks of the waiting flows (outermost method first):\n");
        var listed = 0;
        foreach (var (_, bodies) in throttle.Waiting)
        {
            foreach (var body in bodies)
            {
                if (listed++ < MaxListed)
                {
                    AppendAsyncStack(text, body, throttle.OnlyLoops ? $"body {listed}" : $"flow {listed}", "  ");
                }
            }
        }

        if (listed > MaxListed)
        {
            text.Append($"  ... and {listed - MaxListed} more {(throttle.OnlyLoops ? "bodies" : "flows")}\n");
        }

        text.Append("Stacks:\n");
        foreach (var (thread, _) in throttle.Waiting)
        {
            AppendStack(text, thread, "  ");
        }

        return text.ToString().TrimEnd('\n');
    }

    private const string LeakedSlotAdvice = "A slot taken and never released is gone for good: release it in a finally (await gate.WaitAsync(); try { ... } finally { gate.Release(); }), or take it through a guard that a using disposes, so that an exception between WaitAsync and Release cannot skip the Release; a WaitAsync with a timeout or a CancellationToken lets the waiters give up instead of waiting for ever.";

    private const string AsyncLockAdvice = "Take async locks (SemaphoreSlim(1, 1)) in one global order, release each in a finally, and give WaitAsync a timeout or a CancellationToken so that a stuck wait can end.";

    private const string AsyncLockOrderAdvice = "Take these async locks (SemaphoreSlim(1, 1)) in one global order in every flow, or guard what they protect with one SemaphoreSlim instead of several; release each in a finally, and give WaitAsync a timeout or a CancellationToken so that a stuck wait can end.";

    private static string AsyncDeadlock(DeadlockCycle cycle)
    {
        var text = new StringBuilder();
        var links = cycle.AsyncLinks;
        text.Append(links.Count == 1
            ? "Deadlock detected: an async flow waits on a SemaphoreSlim whose slot it took itself (SemaphoreSlim is not reentrant); unless the slot was released by code the dump does not show, it can never proceed.\n"
            : $"Deadlock detected: {links.Count} async flows wait for each other's SemaphoreSlim slots in a cycle (async locks, no thread blocked); unless a slot was released by code the dump does not show, none of them can ever proceed.\n");
        for (var i = 0; i < links.Count; i++)
        {
            var link = links[i];
            text.Append($"  {i + 1}. async flow {FlowName(link.Flow)} waits")
                .Append(AsyncFindings.Chain(link.Flow).Select(t => Site(t.Description)).LastOrDefault(s => s is not null) is { } site ? $" ({site})" : "")
                .Append(links.Count == 1
                    ? $" in SemaphoreSlim.WaitAsync on {link.Semaphore}; this same flow took its slot earlier, at {link.HeldAt}\n"
                    : $" in SemaphoreSlim.WaitAsync on {link.Semaphore}; async flow {FlowName(link.HeldBy)} holds its slot ({HolderMethod(link)} passed {link.HeldAt} and has not released it)\n");
        }

        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, links.Count == 1);
        }

        if (links.Count == 1)
        {
            // One flow on its own slot: there is no "other" semaphore, and no lock order to fix.
            text.Append("  A possible deadlock: a SemaphoreSlim records no owner. The dump shows the flow suspended in this semaphore's WaitAsync after an earlier await of its WaitAsync ")
                .Append("(in an outer method of the same flow), with no Release of it on the way, and the semaphore with no free slot; if no other code released that slot, it is a deadlock.\n");
            text.Append("Do not call, while holding an async lock (SemaphoreSlim(1, 1)), code that takes it again: a SemaphoreSlim is not reentrant. Pass the held state down, or split the method into a locked entry point and an unlocked core.\n");
        }
        else
        {
            text.Append("  A possible deadlock: a SemaphoreSlim records no owner. The dump shows each flow suspended after an await of the other semaphore's WaitAsync, ")
                .Append("with no Release of it on the way, and that semaphore with no free slot; if no other code released that slot, it is a deadlock.\n");
            text.Append(AsyncLockOrderAdvice).Append('\n');
        }

        text.Append("Async stacks (outermost method first):\n");
        for (var i = 0; i < links.Count; i++)
        {
            AppendAsyncStack(text, links[i].Flow, $"flow {i + 1}", "  ");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Review 57: async methods awaiting, in a cycle, tasks that complete only when the next one does.</summary>
    private static string AwaitDeadlock(DeadlockCycle cycle, AwaitCycles.Cycle awaits)
    {
        var steps = awaits.Steps;
        var methods = steps.Count(s => s.Kind == AwaitCycles.Node.Method);
        var completes = steps.Any(s => s.ToNext == AwaitCycles.Link.Completes);
        var holds = steps.Any(s => s.ToNext == AwaitCycles.Link.Holds);
        var handLocks = steps.Any(s => s.ToNext == AwaitCycles.Link.HoldsLock);
        var ownChannel = steps.Any(s => s.ToNext == AwaitCycles.Link.OnlyReader);
        var mailbox = steps.Any(s => s.ToNext == AwaitCycles.Link.Mailbox);
        var who = ownChannel && !mailbox
            ? "an async flow waits for room in a full channel that only it reads"
            : mailbox && !ownChannel
            ? "an async flow awaits the reply to a request that sits, unread, in a channel only it reads (an actor asking itself)"
            : methods == 1
            ? "an async method awaits a task that can complete only after it returns"
            : $"{methods} async methods await, in a cycle, tasks that can complete only after the next one returns";
        var unless = (completes ? "unless code the dump does not show (a thread, a callback, a method not suspended now) completes that TaskCompletionSource, " : "")
            + (holds ? "unless the semaphore's slot was released by code the dump does not show, " : "")
            + (handLocks ? "unless a lock was released by code the dump does not show, " : "")
            + (ownChannel ? "unless code the dump does not show reads from that channel (no other async flow or thread holds its reader), " : "")
            + (mailbox ? "unless code the dump does not show reads that channel or completes the request's TaskCompletionSource (no other async flow or thread holds the reader), " : "");
        var text = new StringBuilder();
        text.Append(cycle.IsPossible
            ? $"Deadlock detected: {who} (no thread blocked); {unless}none of them can ever proceed.\n"
            : $"Deadlock detected: {who} (no thread blocked); every link below is in the heap (each task's continuation resumes the next step), and an await cannot be taken back: none of them can ever proceed.\n");
        for (var i = 0; i <= steps.Count; i++)
        {
            var step = steps[i % steps.Count];
            var what = i == steps.Count ? $"{steps[0].Task.Description}, the first step: the cycle closes" : step.Task.Description;
            text.Append("  ").Append(i == 0 ? "" : AwaitLink(steps[i - 1])).Append(what).Append('\n');
        }

        if (cycle.AlsoStuck.Count > 0)
        {
            AppendStuck(text, cycle, single: false);
        }

        if (awaits.Behind.Count > 0)
        {
            text.Append("  Async methods stuck behind them: ").Append(string.Join(", ", awaits.Behind.Take(MaxListed))).Append(awaits.Behind.Count > MaxListed ? $" and {awaits.Behind.Count - MaxListed} more" : "").Append(".\n");
        }

        if (completes)
        {
            text.Append("  A possible deadlock: a TaskCompletionSource records no owner. The dump shows one suspended async method whose code completes it after the await it is suspended at, and no other suspended method that does; a thread, a callback or a method not running now may complete it too.\n");
        }

        if (holds)
        {
            text.Append("  A SemaphoreSlim records no owner: the dump shows one suspended async method past an await of its WaitAsync with no Release on the way, and the semaphore with no free slot.\n");
        }

        if (handLocks)
        {
            text.Append("  A possible deadlock: an async lock written by hand records no owner. The dump shows each waiter's TaskCompletionSource kept in the lock's own fields (its queue of waiters), and one suspended async method past an await of the same method on the same lock with no Dispose on the way (the using that releases it has not run).\n");
        }

        if (ownChannel || mailbox)
        {
            text.Append("  A possible deadlock: a channel records no reader. The dump shows this flow reading the channel (holding its reader across its await: the ReadAllAsync of its await foreach, or the reader itself; or, in its code, reading it through a field or a static) and no other suspended async method or thread doing so; code not suspended now (a timer's callback, a request yet to come) may read it too.\n");
        }

        text.Append(ownChannel
            ? "A loop that reads a bounded channel must not wait to write to it: room comes only from its own next read. Write follow-ups with TryWrite and keep those that do not fit elsewhere (a local queue the loop drains first, or another channel another loop reads), or make the channel unbounded.\n"
            : mailbox
            ? "An actor must not await a reply to a request it sends to its own mailbox: its loop reads the next message only after the current one is handled. Handle such a request inline (call the handler directly), or send it and handle the reply as a later message instead of awaiting it.\n"
            : handLocks && !completes
            ? "Take these async locks in one global order in every flow, or guard what they protect with one lock instead of several; release each through a using (or a finally), and let a waiter give up (a timeout or a CancellationToken) so that a stuck wait can end.\n"
            : completes
            ? "Do not await a task that its completer can complete only after what you wait in (or hold) lets it go on: complete the source before awaiting what the completer needs, take the lock after the reply, or give the await a timeout or a CancellationToken (task.WaitAsync(timeout, token)) so that the cycle can end.\n"
            : "Break the cycle: no async method may await, directly or through Task.Run, Task.WhenAll or a Lazy<Task<T>>, a task that completes only after it returns. Lazy<Task<T>> (AsyncLazy) values whose factories need each other: compute what both need once, outside both factories. A flush over a registry of pending tasks: leave the flushing flow's own task out. A DisposeAsync that awaits a loop: do not call it from that loop.\n");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Why a step of an await cycle waits for the next one, as the start of the next line.</summary>
    private static string AwaitLink(AwaitCycles.Step from) => from switch
    {
        { ToNext: AwaitCycles.Link.Completes } => $"→ which only this completes (its {from.Evidence}, after the await it is suspended at): ",
        { ToNext: AwaitCycles.Link.Holds } => $"→ whose only slot this holds (it passed {from.Evidence} and has not released it): ",
        { ToNext: AwaitCycles.Link.OnlyReader } => $"→ which only a read makes room for, and only this reads it ({from.Evidence} across its await): ",
        { ToNext: AwaitCycles.Link.Mailbox } => $"→ which is completed only once the request holding it is handled: it waits, unread, in {from.Evidence}, which only this reads (it holds its reader across its await): ",
        { ToNext: AwaitCycles.Link.HoldsLock } => $"→ which waits in the queue of an async lock of the program's own that this holds (it passed {from.Evidence} and has not disposed what it returned): ",
        { Kind: AwaitCycles.Node.Join } when from.Task.Description.StartsWith("Task.WhenAll", StringComparison.Ordinal) => "→ which completes only when all its tasks have, among them: ",
        { Kind: AwaitCycles.Node.Join } => "→ which completes only when this does: ",
        _ => "→ awaits: ",
    };

    private static string AsyncHang(AsyncFindings.Hang hang)
    {
        var text = new StringBuilder();
        var many = hang.Flows.Count != 1;
        text.Append($"Hang detected: {hang.Thread} waits in {hang.Thread.Wait!.Api} for {(many ? $"{hang.Flows.Count} async flows that are all" : "an async flow")} suspended in SemaphoreSlim.WaitAsync on ")
            .Append(hang.Semaphores.Count == 1 ? "a semaphore" : "semaphores").Append(" with no free slot, and no flow that took a slot is making progress:\n");
        foreach (var semaphore in hang.Semaphores)
        {
            text.Append("  ").Append(semaphore.Public);
            var held = hang.Holders.GetValueOrDefault(semaphore) ?? [];
            var byThreads = hang.ThreadHolders.GetValueOrDefault(semaphore) ?? [];
            if (held.Count == 0 && byThreads.Count == 0)
            {
                text.Append(": no suspended flow shows taking its slot (taken and never released, as on an exception path without a finally, or held by code the dump does not show)\n");
                continue;
            }

            var parts = new List<string>();
            if (held.Count > 0)
            {
                // A holder awaiting Task.WhenAll of flows stuck on the semaphore (a throttle held across a nested join) says so.
                var joining = held.Exists(h => AsyncFindings.Leaf(h.Flow).AwaitsAll.Count > 0);
                parts.Add($"slot taken by {string.Join(", ", held.Select(h => $"async flow {FlowName(h.Flow)} (at {h.At.Display}{(h.At.Location is null ? "" : $", {h.At.Location}")})"))}, itself stuck"
                    + (joining ? " (awaiting a Task.WhenAll of flows that wait for this semaphore or are stuck: a throttle held across awaited work that needs it)" : ""));
            }

            foreach (var (thread, at, surely) in byThreads)
            {
                var taken = surely ? $"slot taken with Wait() by {thread} (in {at})" : $"slot perhaps taken with Wait() by {thread} (in {at}, on a semaphore the dump cannot pin down)";
                parts.Add(thread == hang.Thread
                    ? $"{taken}, the thread that now waits for these flows"
                    : $"{taken}, which cannot go on: {(thread.Wait is null ? thread.ToString() : DescribeWait(thread))}{HeldByFlows(hang, thread)}");
            }

            text.Append(": ").Append(string.Join("; ", parts)).Append('\n');
        }

        // A throttle held across awaited work that needs it gets its own advice: no second lock is taken out of order there,
        // so "take async locks in one global order" would point the reader at a cause the program does not have.
        // Review 47: a slot that leaked (no flow or thread holds it) is no lock-order problem either; one global order would
        // not have helped the one semaphore of a leak, a Release the exception skipped would.
        var leaked = hang.Semaphores.Count(s => hang.Holders.GetValueOrDefault(s) is not { Count: > 0 } && hang.ThreadHolders.GetValueOrDefault(s) is not { Count: > 0 });
        if (hang.Holders.Values.Any(held => held.Exists(h => AsyncFindings.Leaf(h.Flow).AwaitsAll.Count > 0)))
        {
            text.Append("Do not hold a throttle's slot while awaiting work that takes the same throttle: take the slot only around the work itself, or give the nested work a throttle of its own.\n");
        }
        else if (leaked == hang.Semaphores.Count)
        {
            text.Append(LeakedSlotAdvice).Append('\n');
        }
        else
        {
            text.Append(AsyncLockAdvice).Append('\n');
            if (leaked > 0)
            {
                text.Append(LeakedSlotAdvice).Append('\n');
            }
        }

        text.Append("Async stacks (outermost method first):\n");
        for (var i = 0; i < hang.Flows.Count && i < MaxListed; i++)
        {
            AppendAsyncStack(text, hang.Flows[i], $"flow {i + 1}", "  ");
        }

        if (hang.Flows.Count > MaxListed)
        {
            text.Append($"  ... and {hang.Flows.Count - MaxListed} more flows\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>For a thread blocked on a semaphore that stuck flows hold: who holds it (", whose slot ...").</summary>
    private static string HeldByFlows(AsyncFindings.Hang hang, DiagnosedThread thread)
    {
        var target = thread.Wait?.Target?.Address;
        var held = hang.Holders.FirstOrDefault(p => target is not null && p.Key.Object.Address == target).Value;
        return held is { Count: > 0 }
            ? $", whose slot {(held.Count == 1 ? "is" : "may be")} taken by {string.Join(", ", held.Select(h => $"async flow {FlowName(h.Flow)} (at {h.At.Display}{(h.At.Location is null ? "" : $", {h.At.Location}")})"))}"
            : "";
    }

    /// <summary>Appends an async stack: each suspended method on its line, outermost first, then what the innermost awaits.</summary>
    public static void AppendAsyncStack(StringBuilder text, AwaitedTask flow, string title, string indent)
    {
        text.Append(indent).Append(title).Append(":\n");
        foreach (var step in AsyncFindings.Chain(flow))
        {
            text.Append(indent).Append("  ").Append(step == flow ? "" : "→ ").Append(step.Description).Append('\n');
            for (var i = 0; i < step.AwaitsAll.Count && i < MaxListed; i++)
            {
                AppendAsyncStack(text, step.AwaitsAll[i], $"{i + 1} of {step.AwaitsAll.Count}", indent + "    ");
            }
        }
    }

    /// <summary>The innermost async method of a flow, as reports name it.</summary>
    /// <summary>Who in the holding flow passed the semaphore's <c>WaitAsync</c>: "it", or its outer method that holds the
    /// slot across an await of the method the flow is named by (review 56: the nested ABBA named only the inner methods).</summary>
    private static string HolderMethod(AsyncDeadlockLink link) =>
        link.HeldInMethod is { } method && method != FlowName(link.HeldBy) ? $"its caller {method}" : "it";

    private static string FlowName(AwaitedTask flow)
    {
        var name = AsyncFindings.Chain(flow).LastOrDefault(t => t.Description.StartsWith("async method ", StringComparison.Ordinal))?.Description ?? flow.Description;
        name = name.StartsWith("async method ", StringComparison.Ordinal) ? name["async method ".Length..] : name;
        var paren = name.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? name[..paren] : name;
    }

    /// <summary>The source location in an async method's description (<c>..., Shop.cs:45)</c>), or null.</summary>
    private static string? Site(string description)
    {
        var comma = description.LastIndexOf(", ", StringComparison.Ordinal);
        return description.StartsWith("async method ", StringComparison.Ordinal) && comma > 0 && description.EndsWith(')') && description.Contains(".cs:", StringComparison.Ordinal)
            ? description[(comma + 2)..^1]
            : null;
    }

    private static string Relation(DeadlockLink link) => link.Wait.Kind switch
    {
        WaitKind.ThreadJoin => "which is",
        WaitKind.Task when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var completer) && completer.StartsWith(DumpAnalyzer.CompletesAfterLock, StringComparison.Ordinal) => completer,
        WaitKind.Task when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var channelReader) && channelReader.StartsWith(DumpAnalyzer.ReadsAfterLock, StringComparison.Ordinal) => channelReader,
        WaitKind.Task => "whose code runs on",
        WaitKind.TypeInitializer => "which runs on",
        WaitKind.CancellationCallback => "whose callback runs on",
        WaitKind.PendingFinalizers => "whose finalizer thread is",
        WaitKind.SemaphoreSlim when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var taker)
            && (taker.StartsWith(DumpAnalyzer.TakesAfterLock, StringComparison.Ordinal) || taker.StartsWith(DumpAnalyzer.AddsAfterLock, StringComparison.Ordinal)) => taker,
        WaitKind.SemaphoreSlim when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var slot) => $"whose slot {slot}",
        WaitKind.WaitHandle when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var setter) => setter,
        WaitKind.MonitorWait when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var pulser) && pulser.StartsWith(DumpAnalyzer.PulsedAfterLock, StringComparison.Ordinal) => pulser,
        WaitKind.ManualResetEventSlim when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var runner) && runner == RuntimeReader.PostPhaseRunner => runner,
        WaitKind.ManualResetEventSlim when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var signaller)
            && (signaller.StartsWith(DumpAnalyzer.SignalsAfterLock, StringComparison.Ordinal) || signaller.StartsWith(DumpAnalyzer.SetsAfterWait, StringComparison.Ordinal)) => signaller,
        WaitKind.ReaderWriterLockRead when link.Wait.HolderRoles.GetValueOrDefault(link.Holder.ManagedThreadId) == RuntimeReader.QueuedBehindWriter => RuntimeReader.QueuedBehindWriter,
        _ when link.Wait.HolderRoles.TryGetValue(link.Holder.ManagedThreadId, out var role) => $"whose {role} is held by",
        _ => "held by",
    };

    /// <summary>The kinds of wait of a cycle's links, named for its headline; a <c>Barrier</c> or <c>CountdownEvent</c> wait (a
    /// <c>ManualResetEventSlim</c> inside) by the type the program called (review 51). Review 65: a writer blocked on a full
    /// bounded <c>Channel</c> (a task's wait, its reader named by <see cref="DumpAnalyzer.ReadsAfterLock"/>) by what it waits
    /// for, as one in <c>BlockingCollection.Add</c> is by its collection ("a blocking wait on a task" said nothing of the channel).</summary>
    private static IEnumerable<string> KindNames(IReadOnlyList<DeadlockLink> links) => links
        .Select(l => l.Wait.Api.StartsWith("Barrier.", StringComparison.Ordinal) ? "Barrier" : l.Wait.Api.StartsWith("CountdownEvent.", StringComparison.Ordinal) ? "CountdownEvent"
            : WaitRule.IsBlockingAdd(l.Wait.Api) || WaitRule.IsBlockingTake(l.Wait.Api) ? "BlockingCollection"
            : l.Wait.Kind == WaitKind.Task && l.Wait.HolderRoles.TryGetValue(l.Holder.ManagedThreadId, out var reader) && reader.StartsWith(DumpAnalyzer.ReadsAfterLock, StringComparison.Ordinal) ? "a full Channel"
            : WaitRule.IsLegacyReaderWriterLock(l.Wait.Api) ? "ReaderWriterLock"
            : KindName(l.Wait.Kind))
        .Distinct();

    private static string KindName(WaitKind kind) => kind switch
    {
        WaitKind.Monitor => "lock/Monitor",
        WaitKind.Lock => "System.Threading.Lock",
        WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead or WaitKind.ReaderWriterLockUpgrade => "ReaderWriterLockSlim",
        WaitKind.ThreadJoin => "Thread.Join",
        WaitKind.Task => "a blocking wait on a task",
        WaitKind.BrigadePrimitive => "Brigade primitive",
        WaitKind.TypeInitializer => "static constructor",
        WaitKind.CancellationCallback => "a cancellation callback",
        WaitKind.PendingFinalizers => "GC.WaitForPendingFinalizers",
        WaitKind.SpinLock => "SpinLock",
        WaitKind.MonitorWait => "Monitor.Wait",
        _ => kind.ToString(),
    };

    /// <summary>What to change, for the kinds of wait the cycle is made of. "Take the locks in one global order" only when
    /// two of its waits or more are lock waits (review 45): a cycle of one lock and a join, a task, a timer's callback or a
    /// semaphore slot has no order to fix, and the advice pointed the reader at a cause the program does not have.</summary>
    private static string Advice(IReadOnlyList<DeadlockLink> links, bool selfWait)
    {
        var advice = new List<string>();
        if (selfWait && links[0].Wait.Kind == WaitKind.ThreadJoin)
        {
            return "Never join the current thread: a Stop() or Dispose() that joins a worker thread must not Join when it runs on that worker (check Thread.CurrentThread != worker first).";
        }

        if (selfWait && links[0].Wait.Detail is { } detail
            && (detail.StartsWith(SchedulerPairWaits.Marker, StringComparison.Ordinal) || detail.StartsWith(SchedulerPairWaits.TaskMarker, StringComparison.Ordinal)))
        {
            // Review 54: the same self-wait on a ConcurrentExclusiveSchedulerPair's scheduler (no SynchronizationContext).
            return "Never block a task running on a ConcurrentExclusiveSchedulerPair's scheduler on work that needs that pair (an async method that resumes there, a task queued to it): await it instead, so the scheduler is free to run it, or have the awaited code use ConfigureAwait(false) and schedule its own work elsewhere.";
        }

        if (selfWait && CustomSchedulerWaits.IsQueuedContinuation(links[0].Wait.Detail))
        {
            // Review 62: a job on a one-thread TaskScheduler of the program's own blocked on an async method resuming there.
            return "Never block a task running on a TaskScheduler of the program's own on an async method that resumes there (its await captured TaskScheduler.Current): await it instead (async all the way up), so the scheduler's thread is free to run the continuation, or have the awaited code use ConfigureAwait(false).";
        }

        if (selfWait && ContextPumpWaits.IsPumpGone(links[0].Wait.Detail))
        {
            // Review 63: a context whose pump thread ended, installed on a thread that blocks on an async method resuming there.
            return "A SynchronizationContext runs what is posted to it only while its pump does: keep the pump alive (catch a callback's exception inside the loop, not around it) or stop installing the context once it has ended; and never block on a task from a thread with a SynchronizationContext: await it, or have the awaited code use ConfigureAwait(false).";
        }

        if (selfWait && (links[0].Wait.Detail?.StartsWith(CustomSchedulerWaits.Marker, StringComparison.Ordinal) == true
            || links[0].Wait.Detail?.StartsWith(CustomSchedulerWaits.OnlyThreadMarker, StringComparison.Ordinal) == true))
        {
            // Review 56: a limited-concurrency TaskScheduler of the program's own, its running tasks blocked on tasks queued to it.
            return "Never block a task running on a limited-concurrency TaskScheduler on a task queued to that same scheduler: await it instead (the scheduler's thread is then free to run it), run the inner work inline or on another scheduler, or let the scheduler run more tasks at once than can block.";
        }

        if (selfWait)
        {
            return "Never block a thread that has a SynchronizationContext (a UI thread) on a task: await it instead (async all the way up), or have the awaited library code use ConfigureAwait(false).";
        }

        var kinds = links.Select(l => l.Wait.Kind).Distinct().ToList();
        var lazies = links.Count(l => l.Wait.Kind == WaitKind.Monitor && l.Wait.Target?.TypeName == "System.LazyHelper");
        if (lazies > 0)
        {
            // Review 48: the "locks" are Lazy<T>s' own; the program takes no lock, it reads Values: the order to fix is
            // between the factories (a global order of the locks would read as "lock ... in order", which it cannot do).
            advice.Add(lazies == links.Count
                ? "a Lazy<T>'s factory runs under the Lazy's lock: factories that read each other's Value (directly or through what they call) deadlock when two threads first touch them at once; remove the dependency between the factories (compute what both need first, outside them), or create the values in one place in a fixed order"
                : "a Lazy<T>'s factory runs under the Lazy's lock: never wait in a factory for a lock or a thread that may be reading that Lazy's Value, nor read a Value while holding a lock its factory takes");
        }

        if (links.Count(l => IsLockKind(l.Wait.Kind) && l.Wait.Target?.TypeName != "System.LazyHelper") >= 2)
        {
            advice.Add("take the locks in one global order so no cycle can form (Brigade's DetectingLock refuses the wait that would close a cycle, and reports an inverted order before it hangs)");
        }

        if (kinds.Contains(WaitKind.SpinLock))
        {
            advice.Add("never wait for anything while holding a SpinLock, nor spin for one while holding a lock (a SpinLock is for a few instructions): use a lock instead");
        }

        if (links.Any(l => l.Wait.Kind == WaitKind.WaitHandle && (l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId) is not { } role
            || !(role.StartsWith(DumpAnalyzer.SetsAfterWait, StringComparison.Ordinal) || role.StartsWith(DumpAnalyzer.HandleReleasedAfterLock, StringComparison.Ordinal) || role.StartsWith(DumpAnalyzer.AcquiredMutex, StringComparison.Ordinal)))))
        {
            // The only wait handle the graph gives an owner: the one given to Timer.Dispose(WaitHandle).
            advice.Add("do not wait for a timer's running callback (Timer.Dispose(WaitHandle), then WaitOne) while holding a lock the callback takes: dispose the timer after releasing the lock, or call Dispose() without a handle, which does not wait");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.HandleReleasedAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 66: a kernel Semaphore waited on under a lock its releaser takes first.
            advice.Add("release a semaphore outside the lock (never wait on a semaphore while holding a lock its releaser takes first)");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.AcquiredMutex, StringComparison.Ordinal) == true))
        {
            // Review 66: a Mutex held (as its holder's code tells) by a thread waiting for what the Mutex's waiter holds.
            advice.Add("take Mutexes (and the locks you hold with them) in one global order, and release a Mutex before waiting for anything its waiters may hold");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId) == RuntimeReader.PostPhaseRunner))
        {
            // Review 51: a Barrier's post-phase action runs on the last participant to arrive while the others wait.
            advice.Add("a Barrier's post-phase action runs on the last participant to arrive while the others wait in SignalAndWait: never take in it a lock a participant holds while signalling (release locks before SignalAndWait, or do that work after it returns)");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.SignalsAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 60: a Barrier or CountdownEvent waited on under a lock its missing participant (or signaller) takes first.
            advice.Add("never wait on a Barrier or a CountdownEvent while holding a lock that its participants take before they arrive or signal: leave the lock before SignalAndWait or Wait, or signal before taking the lock");
        }

        if (kinds.Contains(WaitKind.PendingFinalizers))
        {
            advice.Add("never call GC.WaitForPendingFinalizers while holding a lock a finalizer takes; better, take no lock in a finalizer (use SafeHandle, or queue the clean-up)");
        }

        var takenBehind = links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.TakesAfterLock, StringComparison.Ordinal) == true);
        if (takenBehind)
        {
            // Review 64: a producer blocked on a full BlockingCollection under a lock its consumer takes first.
            advice.Add("never add to a bounded BlockingCollection while holding a lock its consumer takes before it takes an item: add after leaving the lock");
        }
        else if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.AddsAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 66: a consumer blocked in Take under a lock its producer takes first.
            advice.Add("never take from a BlockingCollection while holding a lock its producer takes before it adds: take after leaving the lock");
        }
        else if (kinds.Contains(WaitKind.SemaphoreSlim))
        {
            advice.Add("do not block on a SemaphoreSlim (Wait()) while holding what the holder of its slot needs to release it");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.PulsedAfterLock, StringComparison.Ordinal) == true))
        {
            // Doctor67: a nested monitor lockout.
            advice.Add("never call Monitor.Wait while holding another lock its pulser takes first: Wait releases only the object it waits on");
        }

        if (links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.ReadsAfterLock, StringComparison.Ordinal) == true))
        {
            // Review 64b: a writer blocked on a full bounded Channel under a lock its reader takes first.
            advice.Add("never wait for room in a bounded Channel while holding a lock its reader takes before it reads: write after leaving the lock");
        }

        var setBehind = links.Any(l => l.Wait.HolderRoles.GetValueOrDefault(l.Holder.ManagedThreadId)?.StartsWith(DumpAnalyzer.SetsAfterWait, StringComparison.Ordinal) == true);
        if (setBehind)
        {
            // Review 64: `worker.Join(); started.Set();` while the worker waits for `started`. Review 66: "joining" read for an
            // event waited on under a lock its setter takes first, too; the advice now fits what the setter waits for.
            advice.Add(SetterJoinsIn(links, DumpAnalyzer.SetsAfterWait)
                ? "set an event before joining the thread that waits for it"
                : "set an event outside the lock (never wait for an event while holding a lock its setter takes first)");
        }
        else if (links.All(l => l.Wait.Kind == WaitKind.ThreadJoin))
        {
            // Review 52: a join ring (A joins B, B joins A) holds nothing; "holding something it needs" named nothing real.
            advice.Add("threads that join each other each wait for the other to end, so none ends: let one owner (the thread that started them) join them all, and have a thread never join one that may join it");
        }
        else if (kinds.Contains(WaitKind.ThreadJoin))
        {
            advice.Add("never join a thread while holding something it needs");
        }

        if (kinds.Contains(WaitKind.Task))
        {
            advice.Add("do not block on a task while holding what its code needs: await it instead");
        }

        if (kinds.Contains(WaitKind.CancellationCallback))
        {
            advice.Add("never dispose a CancellationTokenRegistration (it waits for a callback that Cancel is running) while holding a lock that callback takes: dispose it after releasing the lock, or call Unregister(), which does not wait");
        }

        if (kinds.Contains(WaitKind.TypeInitializer))
        {
            advice.Add("never wait in a static constructor for other threads or tasks, nor hold a lock while touching a type whose static constructor takes it: initialize lazily (Lazy<T>) outside the constructor");
        }

        var sentence = string.Join("; ", advice);
        return sentence.Length == 0 ? "Break the cycle." : char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".";
    }

    private static bool IsLockKind(WaitKind kind) => kind is WaitKind.Monitor or WaitKind.Lock or WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead
        or WaitKind.ReaderWriterLockUpgrade or WaitKind.BrigadePrimitive or WaitKind.SpinLock;

    private static string Starvation(ThreadPoolSnapshot pool, List<DiagnosedThread> blocked)
    {
        var text = new StringBuilder();
        text.Append($"Thread-pool starvation detected: {pool.Blocked} of the pool's {pool.Workers} worker threads are blocked");
        if (pool.BlockedOnTasks > 0)
        {
            text.Append($" ({pool.BlockedOnTasks} of them synchronously on tasks: sync-over-async, .Result, .Wait(), GetAwaiter().GetResult())");
        }

        text.Append($", {pool.Running} running and none idle, while {pool.QueuedWorkItems} work items wait in the pool's queues. ");
        // Review 51: a pool at its ThreadPool.SetMaxThreads bound adds no thread at all: "slowly" promised a relief that never comes.
        text.Append(pool.Workers >= pool.MaxThreads
            ? $"The pool is at its maximum ({pool.MaxThreads} threads, ThreadPool.SetMaxThreads): it will add no thread, so the queued work waits for ever if the blocked threads wait for it.\n"
            : "The pool adds threads slowly (about one or two a second), so queued work waits for seconds, or forever when the blocked threads wait for it.\n");
        foreach (var thread in blocked.Take(MaxListed))
        {
            text.Append("  ").Append(DescribeWait(thread)).Append('\n');
        }

        if (blocked.Count > MaxListed)
        {
            text.Append($"  ... and {blocked.Count - MaxListed} more blocked pool threads\n");
        }

        if (pool.QueuedExamples.Count > 0)
        {
            text.Append("  Queued: ").Append(string.Join(", ", pool.QueuedExamples)).Append('\n');
        }

        var waitingForQueue = blocked.Count(t => AsyncFindings.Chain(t.Wait!.Task).Any(task => task.ContinuationQueued));
        if (waitingForQueue > 0)
        {
            text.Append($"  {waitingForQueue} blocked thread{(waitingForQueue == 1 ? "" : "s")} wait{(waitingForQueue == 1 ? "s" : "")} for a task whose continuation is itself queued on the pool: the blocked threads wait for work that waits for a free thread.\n");
        }

        // Review 59: pool threads each blocked on a task another blocked pool thread runs (a GetOrAdd or Lazy factory that
        // blocks on Task.Run of work entering the same factory): a chain, each link one more pool thread.
        var onRunning = blocked.Count(t => t.Wait!.Task is { RunningNow: true } task && (task.RunningOnThread is not { } runner || blocked.Exists(b => b.ManagedThreadId == runner)));
        if (onRunning > 1)
        {
            text.Append($"  {onRunning} blocked threads wait for a task that has started and runs on another blocked pool thread: a chain, each thread waiting for the next, the last for work no thread is free to run (as when a ConcurrentDictionary.GetOrAdd or Lazy<T> factory blocks on Task.Run of work that enters the same factory; one such wait takes one more pool thread each time).\n");
        }

        text.Append($"Await instead of blocking (.Result, .Wait(), GetAwaiter().GetResult()); run blocking calls on dedicated threads (Brigade: Engine.Threads); {(pool.Workers >= pool.MaxThreads ? $"with the pool capped (SetMaxThreads {pool.MaxThreads}), never block a pool thread on work queued to the same pool" : $"raising ThreadPool.SetMinThreads (now {pool.MinThreads}) only hides it")}.");
        return text.ToString();
    }

    /// <summary>Review 64c: threads waiting for ever on a <c>SemaphoreSlim</c> whose releasing task has ended.</summary>
    private static string EndedReleaser(List<DiagnosedThread> waiters, EndedReleasers.Found found)
    {
        var text = new StringBuilder();
        var many = waiters.Count != 1;
        var wait = waiters[0].Wait!;
        text.Append($"Hang detected: {(many ? $"{waiters.Count} threads wait" : $"{waiters[0]} waits")} in {wait.Api} on {wait.Target?.TypeName ?? "a SemaphoreSlim"}")
            .Append(wait.Target?.HeldIn is { } heldIn ? $" ({heldIn})" : "")
            .Append(", with no free slot, and the task that was to release it has ended:\n");
        text.Append("  ended: ").Append(found.Task).Append("; its code, which no thread runs: ").Append(found.Releaser).Append('\n');
        foreach (var waiter in waiters.Take(MaxListed))
        {
            AppendStack(text, waiter, "  ");
        }

        if (waiters.Count > MaxListed)
        {
            text.Append($"  ... and {waiters.Count - MaxListed} more\n");
        }

        text.Append($"A possible hang: unless code the dump does not show releases it, {(many ? "these threads wait" : "this thread waits")} for ever. ")
            .Append("A task can end before its Release runs (cancelled before it started, or an exception first): release in a finally inside the task (or in a continuation that runs however it ends), and have the waiters wait with the same CancellationToken (Wait(token)) or a timeout, so that they end with it.");
        return text.ToString();
    }

    /// <summary>Review 71: threads waiting, with no timeout, on what no code left in the process can signal.</summary>
    private static string OwnerlessHang(List<OwnerlessHangs.Found> found, bool certain)
    {
        var text = new StringBuilder();
        var many = found.Count != 1;
        text.Append($"Hang detected: {(many ? $"{found.Count} threads wait" : $"{found[0].Thread} waits")}, with no timeout, on what no code left in the process can signal{(certain ? "" : " (possible)")}:\n");
        foreach (var hang in found.Take(MaxListed))
        {
            text.Append("  ").Append(DescribeWait(hang.Thread)).Append('\n');
            text.Append("    ").Append(certain ? "for ever: " : "possibly for ever: ").Append(hang.Why).Append('\n');
        }

        if (found.Count > MaxListed)
        {
            text.Append($"  ... and {found.Count - MaxListed} more\n");
        }

        text.Append(certain
            ? $"A hang: {(many ? "these threads wait" : "this thread waits")} for ever; nothing in the process can end {(many ? "their waits" : "its wait")}. "
            : $"A possible hang: unless code the dump does not show signals it (a native callback, another process setting a named event), {(many ? "these threads wait" : "this thread waits")} for ever. ");
        var kinds = found.Select(f => f.Thread.Wait!.Kind).ToHashSet();
        if (kinds.Contains(WaitKind.MonitorWait))
        {
            text.Append("A Pulse sent before a Monitor.Wait began is lost (nothing remembers it): wait in a loop on a condition set under the same lock (while (!ready) Monitor.Wait(gate)). ");
        }

        if (kinds.Contains(WaitKind.ManualResetEventSlim) || kinds.Contains(WaitKind.WaitHandle))
        {
            text.Append("An event nothing sets: the code that was to set it ended (an exception, an early return) or never ran; set it in a finally on every path. ");
        }

        if (kinds.Contains(WaitKind.Task))
        {
            text.Append("A TaskCompletionSource nothing completes: complete it (SetResult, SetException, SetCanceled) on every path, and hand it to the code that is to complete it. ");
        }

        text.Append("Wait with a timeout or a CancellationToken where a signal may never come.");
        return text.ToString();
    }

    private static string SyncOverAsync(List<DiagnosedThread> threads)
    {
        var text = new StringBuilder();
        var many = threads.Count != 1;
        text.Append($"Hang detected: {threads.Count} pool thread{(many ? "s are" : " is")} blocked synchronously on {(many ? "unfinished tasks" : "an unfinished task")} (sync-over-async: .Result, .Wait(), GetAwaiter().GetResult()) instead of awaiting:\n");
        foreach (var thread in threads.Take(MaxListed))
        {
            text.Append("  ").Append(DescribeWait(thread)).Append('\n');
        }

        if (threads.Count > MaxListed)
        {
            text.Append($"  ... and {threads.Count - MaxListed} more\n");
        }

        text.Append("Each blocked pool thread is one fewer for all other work, and a task that needs the pool to finish may never finish: await the task instead, or make the blocking call on a dedicated thread.");
        return text.ToString();
    }
}
