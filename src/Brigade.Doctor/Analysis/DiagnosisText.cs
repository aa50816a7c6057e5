using System.Globalization;
using System.Text;

namespace Brigade.Doctor.Analysis;

/// <summary>The text of <c>brigade doctor</c>: a header, each pitfall report, the other blocked threads, the pool, a verdict.</summary>
internal static class DiagnosisText
{
    public static string Write(Diagnosis diagnosis)
    {
        var text = new StringBuilder();
        var who = diagnosis.ProcessId is { } pid ? $"Process {pid}" : "Dump";
        var timing = diagnosis.DumpDuration > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"dump {diagnosis.DumpDuration.TotalSeconds:0.00} s, analysis {diagnosis.AnalysisDuration.TotalSeconds:0.00} s")
            : string.Create(CultureInfo.InvariantCulture, $"analysis {diagnosis.AnalysisDuration.TotalSeconds:0.00} s");
        text.Append($"{who} (.NET {diagnosis.RuntimeVersion}): {diagnosis.Threads.Count} managed threads; {timing}.\n");
        if (diagnosis.DumpPath is not null)
        {
            text.Append($"Dump kept at {diagnosis.DumpPath}.\n");
        }

        foreach (var report in diagnosis.Reports)
        {
            text.Append('\n').Append(report.Code).Append(' ').Append(report.Message).Append('\n');
        }

        var reported = diagnosis.Reports.SelectMany(r => r.Threads).Select(t => t.ManagedThreadId).ToHashSet();
        var others = diagnosis.Threads.Where(t => t.Wait is not null && !t.IsIdle && t.RunsApplicationCode && !reported.Contains(t.ManagedThreadId)
            && !diagnosis.Deadlocks.Any(d => d.AlsoStuck.Contains(t))).ToList();
        if (others.Count > 0)
        {
            text.Append("\nOther blocked threads (not deadlocked: nothing shows they wait for each other):\n");
            var alike = ReportBuilder.NamedAlike(others.Select(t => t.Wait!));
            var entries = new List<(DiagnosedThread Thread, string Entry)>();
            foreach (var thread in others)
            {
                var start = text.Length;
                text.Append("  ").Append(ReportBuilder.DescribeWait(thread, alike));
                if (thread.Wait!.Owners.Count > 0)
                {
                    // As the cycle says it (ReportBuilder.Relation): a static constructor is not held, it runs on a thread.
                    if (thread.Wait.Kind == Brigade.Doctor.WaitKind.WaitHandle && thread.Wait.Owners.All(thread.Wait.HolderRoles.ContainsKey))
                    {
                        text.Append(", ").Append(string.Join(", ", thread.Wait.Owners.Select(o => $"{thread.Wait.HolderRoles[o]} {Name(diagnosis, o)}")));
                    }
                    else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.SemaphoreSlim)
                    {
                        // Review 44: the flow that took its slot awaits work running on these threads.
                        text.Append(", whose slot ").Append(string.Join(", ", thread.Wait.Owners.Select(o => $"{thread.Wait.HolderRoles.GetValueOrDefault(o, "is held, by code running on")} {Name(diagnosis, o)}")));
                    }
                    else if (thread.Wait.Owners.All(o => thread.Wait.HolderRoles.GetValueOrDefault(o) == RuntimeReader.QueuedBehindWriter))
                    {
                        // Review 52: a reader behind a waiting writer read "held by" the writer, which holds nothing.
                        text.Append(", ").Append(RuntimeReader.QueuedBehindWriter).Append(' ').Append(string.Join(", ", thread.Wait.Owners.Select(o => Name(diagnosis, o))))
                            .Append(" (a writer waiting for the lock goes before new readers: this read waits until that writer has entered and left, so it waits as long as the writer does)");
                    }
                    else
                    {
                        text.Append(thread.Wait.Kind switch { Brigade.Doctor.WaitKind.TypeInitializer => ", which runs on ", Brigade.Doctor.WaitKind.CancellationCallback => ", whose callback runs on ", Brigade.Doctor.WaitKind.PendingFinalizers => ", whose finalizer thread is ", _ => ", held by " }).Append(string.Join(", ", thread.Wait.Owners.Select(o =>
                            thread.Wait.HolderRoles.TryGetValue(o, out var role) ? $"{Name(diagnosis, o)} ({role})" : Name(diagnosis, o))));
                        if (IsLock(thread.Wait) && thread.Wait.Owners.All(o => diagnosis.Threads.FirstOrDefault(t => t.ManagedThreadId == o) is { IsThreadPoolWorker: true, IsIdle: true }))
                        {
                            // Review 45: a lock left held by a pool thread that went back to the pool (a read lock taken
                            // in an async method before an await, whose release after it ran on another thread and threw).
                            text.Append(thread.Wait.Owners.Count == 1 ? ", which is idle" : ", which are idle")
                                .Append(" (back in the pool, between work items): a lock left held by a pool thread is usually taken before an await and released after it on another thread, where the release fails; nothing will release it (Monitor and ReaderWriterLockSlim belong to a thread: across an await use SemaphoreSlim.WaitAsync)");
                        }
                        else if (IsLock(thread.Wait) && thread.Wait.Owners.Count > 0
                            && thread.Wait.Owners.All(o => diagnosis.Threads.FirstOrDefault(t => t.ManagedThreadId == o)?.Wait?.Api == WaitRule.SleepForever))
                        {
                            // Review 50: a holder parked in Thread.Sleep(Timeout.Infinite) never wakes by itself (before: only
                            // "held by", as if it would release the lock in time).
                            text.Append(thread.Wait.Owners.Count == 1 ? ", which sleeps" : ", which sleep")
                                .Append(" for ever (Thread.Sleep(Timeout.Infinite)) holding it: nothing will release it unless some code calls Interrupt() on that thread; never sleep or park a thread while it holds a lock");
                        }
                        else if (thread.Wait.Owners.Any(o => diagnosis.Threads.FirstOrDefault(t => t.ManagedThreadId == o) is { IsIdle: false, Wait: null, Frames.Count: 0 }))
                        {
                            // Review 47: a holder caught in native code the dump cannot unwind (a clock read in a busy-wait).
                            text.Append(" (running: caught in native code the dump cannot unwind, such as Stopwatch's clock read in a busy-wait; it holds the lock while it runs, and the others wait for it to leave)");
                        }
                    }
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.Task && thread.Wait.Task is { Status: "WaitingToRun", Awaits: null })
                {
                    // Queued, never started: it awaits nothing, it waits for a thread of its scheduler to take it.
                    text.Append(" — not started: it runs when its scheduler gives it a thread; a scheduler whose threads are all busy or blocked (this one included, if it is one of them) never will");
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.Task && CustomSchedulerWaits.IsQueuedContinuation(thread.Wait.Detail))
                {
                    // Review 62: its detail says where its continuation waits (before: "no thread runs its code now").
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.Task && thread.Wait.Task is { RunningNow: true, RunningOnThread: null })
                {
                    // Review 59: its delegate has started and not returned, so some thread runs it; a pool thread blocked
                    // under a few hundred frames of recursion (a GetOrAdd or Lazy factory) runs it below the frames read.
                    text.Append(" — ").Append(RunningUnseen(diagnosis, thread));
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.Task)
                {
                    text.Append(" — no thread runs its code now: it ends when what it awaits completes");
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.TypeInitializer)
                {
                    text.Append(" — the thread running it is not named: it ends when that static constructor returns");
                }
                else if (thread.Wait.Api == WaitRule.ProcessWaitForExit)
                {
                    // Only the other process's exit ends it: no thread here is to blame, and none can release it.
                    text.Append(" — it ends when that process exits: if it is stuck, diagnose it (brigade doctor --pid on it, for a .NET process)");
                }
                else if (WaitRule.IsBlockingAdd(thread.Wait.Api) || WaitRule.IsBlockingTake(thread.Wait.Api))
                {
                    // Its detail says what it is (full or empty, who takes or adds); a collection has no owner to blame.
                    if (thread.Wait.Detail?.Contains(RuntimeReader.NoTaker, StringComparison.Ordinal) == true)
                    {
                        text.Append(" — it waits until some code takes an item: if the consumers have ended (an exception out of their loop), for ever; end the producers when the consumers fail (CompleteAdding, a CancellationToken), or add with TryAdd and a timeout");
                    }
                    else if (thread.Wait.Detail?.Contains(RuntimeReader.NoAdder, StringComparison.Ordinal) == true)
                    {
                        text.Append(" — it ends when a producer adds an item: if the producers are done, they must call CompleteAdding(), without which a consuming foreach or a Take waits for ever");
                        if (thread.Wait.Detail.Contains(RuntimeReader.DeadPeers, StringComparison.Ordinal))
                        {
                            // Review 61: a producer that threw skipped its CompleteAdding(); say where it belongs.
                            text.Append("; a producer that may throw must call CompleteAdding() in a finally");
                        }
                    }

                    AppendLockHeldMeanwhile(text, diagnosis, thread, WaitRule.IsBlockingAdd(thread.Wait.Api) ? "is to take an item from it" : "is to add an item to it");
                }
                else if (thread.Wait.Api == WaitRule.NamedPipeWaitForConnection)
                {
                    // Review 50: only a client ends it; one that must first take a lock this thread holds never connects.
                    text.Append(" — it ends when a client connects to the pipe");
                    AppendLockHeldMeanwhile(text, diagnosis, thread, "is the client that would connect");
                }
                else if (thread.Wait.Api == WaitRule.SpinWaitSpin)
                {
                    // Review 52: a spin on a flag read "waits in Thread.Sleep" (its SpinOnce sleeps 1 ms now and then).
                    text.Append(" — a busy wait: it spins (yielding, sleeping 1 ms now and then) until some thread makes the condition it checks true, such as a flag it reads; the dump cannot show that condition: if nothing ever sets it, it spins for ever and burns CPU. Have the setter signal an event (ManualResetEventSlim, a TaskCompletionSource) and wait on that");
                    AppendLockHeldMeanwhile(text, diagnosis, thread, "is to make that condition true");
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.MonitorWait)
                {
                    // Review 52: a lost Pulse read "no owner to blame: any thread may release it" (nothing is released).
                    text.Append(" — it ends when another thread calls Monitor.Pulse or PulseAll on that object while holding its lock; a Pulse sent before this Wait began is lost (nothing remembers it), so a waiter that does not first check a condition waits for ever: wait in a loop on the condition (while (!ready) Monitor.Wait(gate)), set under the same lock");
                    AppendLockHeldMeanwhile(text, diagnosis, thread, "is to pulse it");
                }
                else if (thread.Wait.Api == "CountdownEvent.Wait")
                {
                    // Review 52: "no owner to blame" said nothing of why a count stays short.
                    text.Append(" — it ends when the missing signals come; any thread may Signal() it, and the dump cannot show which was to: a participant that threw or returned early before its Signal leaves it short for ever; signal in a finally (or Wait with a timeout and a CancellationToken)");
                    AppendLockHeldMeanwhile(text, diagnosis, thread);
                }
                else if (thread.Wait.Kind == Brigade.Doctor.WaitKind.SemaphoreSlim && thread.Wait.Detail?.Contains("count 0", StringComparison.Ordinal) == true
                    && !thread.Wait.Detail.Contains(", its slot taken by async flow ", StringComparison.Ordinal))
                {
                    // Review 52: a slot leaked on an exception path (Wait, then a throw before Release) read only "no owner to blame".
                    text.Append(" — no thread shows holding a slot (a semaphore has no owner: any thread may release it); if no code still running will call Release, a slot was taken and never given back, as on an exception path whose Release was not in a finally: release in a finally on every path");
                    AppendLockHeldMeanwhile(text, diagnosis, thread, "is to release it");
                }
                else if (InputWait(thread.Wait.Api, thread.Wait.Detail) is { } input)
                {
                    text.Append(input);
                }
                else if (thread.Wait.Kind is not Brigade.Doctor.WaitKind.Sleep and not Brigade.Doctor.WaitKind.IO)
                {
                    // A Mutex has an owner (only the thread that acquired it may release it), kept by the OS, not in the dump.
                    text.Append(thread.Wait.Detail?.Contains(", its slot taken by async flow ", StringComparison.Ordinal) == true
                        ? " — that flow is suspended: it releases the slot when what it awaits completes, unless that never comes"
                        : IsMutex(thread.Wait)
                        ? " — a Mutex is owned by the thread that acquired it, which the dump does not show (the OS keeps it; a named Mutex may be held by another process)"
                        : IsLock(thread.Wait) && thread.Wait.Detail?.Contains(RuntimeReader.EndedHolder, StringComparison.Ordinal) == true
                            ? " — nothing will release it: release a lock in a finally on every path out of the code that took it"
                        : IsLock(thread.Wait) && thread.Wait.Detail?.Contains(RuntimeReader.UnnamedReaders, StringComparison.Ordinal) == true
                            ? " — no live thread holds a read lock on it (each live thread's own read count is in the dump, and none has one), so a thread that ended or returned without ExitReadLock left it held: nothing will release it; release a read lock in a finally on every path"
                        : IsLock(thread.Wait)
                            ? " — no thread holds it at this instant: its holder had just released it and this thread is about to take it (a contended lock caught between two holders); if the wait lasts, run the command again"
                            : $" — no owner to blame: any thread may {EndingVerb(thread.Wait)}");
                    AppendLockHeldMeanwhile(text, diagnosis, thread);
                }

                text.Append('\n');
                if (thread.Wait.Task is { } task && AsyncFindings.Chain(task).Any(t => t.AwaitsAll.Count > 0))
                {
                    ReportBuilder.AppendAsyncStack(text, task, "its async stack", "    ");
                }

                entries.Add((thread, text.ToString(start, text.Length - start)));
                text.Length = start;
            }

            AppendGrouped(text, entries);
            AppendParallelLoops(text, others);
            if (others.Exists(t => WaitRule.IsTimed(t.Wait!.Api) && t.Wait.Owners.Count > 0))
            {
                text.Append("  (A wait with a timeout is no deadlock: it gives up. Threads that keep retrying such waits against each other livelock: run brigade doctor again, and if the same threads wait for each other again, they do.)\n");
            }
        }

        if (diagnosis.ThreadPool is { } pool)
        {
            text.Append($"\nThread pool: {pool.Workers} workers ({pool.Idle} idle, {pool.Running} running, {pool.Blocked} blocked");
            text.Append(pool.BlockedOnTasks > 0 ? $", {pool.BlockedOnTasks} of them on tasks)" : ")");
            text.Append($", {pool.QueuedWorkItems} queued work items");
            if (pool.QueuedExamples.Count > 0)
            {
                text.Append(": ").Append(string.Join(", ", pool.QueuedExamples));
            }

            text.Append($"; min {pool.MinThreads}, max {pool.MaxThreads} threads.\n");
        }

        text.Append('\n');
        foreach (var note in diagnosis.Notes)
        {
            text.Append("Note: ").Append(note).Append('\n');
        }

        text.Append(diagnosis.HasPitfalls
            ? $"{diagnosis.Reports.Count} pitfall{(diagnosis.Reports.Count == 1 ? "" : "s")} found: {string.Join(", ", diagnosis.Reports.Select(r => r.Code))}.\n"
            : "No pitfall found: no deadlock cycle, no thread-pool starvation, no pool thread blocked on a task.\n");
        return text.ToString();
    }

    /// <summary>
    /// Review 48: ties the blocked threads that run bodies of one <c>Parallel.For</c>/<c>ForEach</c>/<c>Invoke</c> (the
    /// same body method, reached through the loop's frames) into one line: listed one by one, nothing said that every
    /// body the loop runs waits, so that an item not started yet, which might be the one to end the others' wait (set
    /// their event, release their slot), starts only when one of them ends: never, if it is that item they wait for.
    /// </summary>
    private static void AppendParallelLoops(StringBuilder text, List<DiagnosedThread> others)
    {
        var bodies = others.Select(t => (Thread: t, Loop: ParallelBody(t.Frames))).Where(x => x.Loop is not null).ToList();
        foreach (var loop in bodies.GroupBy(x => x.Loop!.Value.Body.Method, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var caller = loop.Select(x => x.Loop!.Value.Caller).FirstOrDefault(c => c is not null);
            var api = loop.Select(x => x.Loop!.Value.Api).OrderByDescending(a => a.Length).First();
            var body = loop.First().Loop!.Value.Body;
            text.Append("  ").Append(string.Join(", ", loop.Select(x => x.Thread.ToString())))
                .Append($" run bodies ({body}) of one {api}{(caller is null ? "" : $", called in {caller}")}, and each of them waits: ")
                .Append("the loop runs no more bodies at a time than its MaxDegreeOfParallelism (or the pool's threads) allows, so items not started yet start only when one of these ends; if it is one of those items that would end their wait (set their event, release their slot, add their item), it never starts. ")
                .Append("Do not make a loop's bodies wait for one another: signal from outside the loop, or run the items that wait and the one they wait for as separate tasks\n");
        }
    }

    /// <summary>The body a thread runs for a <c>Parallel</c> loop (the application's frame nearest inside the loop's
    /// innermost frame), the API, and the application's frame that called the loop (on the thread that called it).</summary>
    private static (DiagnosedFrame Body, string Api, DiagnosedFrame? Caller)? ParallelBody(IReadOnlyList<DiagnosedFrame> frames)
    {
        static bool IsParallel(DiagnosedFrame f) => f.Method.StartsWith("System.Threading.Tasks.Parallel.", StringComparison.Ordinal)
            || f.Method.StartsWith("System.Threading.Tasks.Parallel+", StringComparison.Ordinal);

        var inner = -1;
        var outer = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (IsParallel(frames[i]))
            {
                inner = inner < 0 ? i : inner;
                outer = i;
            }
        }

        if (inner <= 0)
        {
            return null;
        }

        DiagnosedFrame? body = null;
        for (var i = inner - 1; i >= 0 && body is null; i--)
        {
            body = frames[i].IsFramework ? null : frames[i];
        }

        if (body is null)
        {
            return null;
        }

        var loopFrames = frames.Skip(inner).Take(outer - inner + 1).Select(f => f.Method).ToList();
        var api = loopFrames.Exists(m => m.Contains("ForEach", StringComparison.Ordinal)) ? "Parallel.ForEach"
            : loopFrames.Exists(m => m.Contains("Invoke", StringComparison.Ordinal)) ? "Parallel.Invoke" : "Parallel.For";
        var caller = frames.Skip(outer + 1).FirstOrDefault(f => !f.IsFramework);
        return (body, api, caller);
    }

    /// <summary>How many threads blocked alike (the same wait, object, site and holders) are listed as one line.</summary>
    internal const int GroupedFrom = 5;

    /// <summary>Review 50: lists the blocked threads, those whose entries differ only by the thread's name as one entry (a
    /// worker pool of 60 threads idle on one event made 60 lines, the few that mattered lost among them).</summary>
    private static void AppendGrouped(StringBuilder text, List<(DiagnosedThread Thread, string Entry)> entries)
    {
        static string Rest((DiagnosedThread Thread, string Entry) e) =>
            e.Entry.StartsWith($"  {e.Thread}", StringComparison.Ordinal) ? e.Entry[(2 + e.Thread.ToString().Length)..] : e.Entry;

        foreach (var group in entries.GroupBy(Rest, StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count < GroupedFrom || members.Exists(m => ReferenceEquals(Rest(m), m.Entry)))
            {
                members.ForEach(m => text.Append(m.Entry));
                continue;
            }

            text.Append($"  {members.Count} threads ({string.Join(", ", members.Take(3).Select(m => m.Thread))} and {members.Count - 3} more) wait alike: each")
                .Append(group.Key);
        }
    }

    /// <remarks>Review 52: <paramref name="ends"/> says what the other thread would do to end the wait ("is the client that
    /// would connect" for a pipe, which read "is to signal it").</remarks>
    private static void AppendLockHeldMeanwhile(StringBuilder text, Diagnosis diagnosis, DiagnosedThread thread, string ends = "is to signal it")
    {
        var blockedOnIt = LockWaitersOf(diagnosis, thread.ManagedThreadId);
        if (blockedOnIt.Count > 0)
        {
            // A thread that waits on an event/semaphore/wait handle while holding a lock others wait for: if one
            // of those is the thread that would signal it, this is a deadlock the dump cannot prove.
            var many = blockedOnIt.Count > 1;
            text.Append($"; meanwhile it holds {HeldLock(blockedOnIt, thread.ManagedThreadId)} {string.Join(", ", blockedOnIt)} wait{(many ? "" : "s")} for: if {(many ? "one of them" : "that thread")} {ends}, they deadlock");
        }
    }

    /// <summary>Review 53: what <paramref name="holder"/> holds that <paramref name="waiters"/> wait for: "a read lock" when
    /// every waiter's <c>ReaderWriterLockSlim</c> wait names that role (a writer waiting for a reader read "holds a lock", as if
    /// the reader held it exclusively), "a lock" when they differ or the waits are not on a reader-writer lock.</summary>
    private static string HeldLock(List<DiagnosedThread> waiters, int holder)
    {
        var roles = waiters.Select(w => w.Wait!.HolderRoles.GetValueOrDefault(holder)).Distinct(StringComparer.Ordinal).ToList();
        return roles is [{ } role] && role.EndsWith("lock", StringComparison.Ordinal) ? $"{(role.StartsWith('u') ? "an" : "a")} {role}" : "a lock";
    }

    /// <summary>The threads blocked (without a timeout) on a lock that <paramref name="holder"/> holds.</summary>
    /// <remarks>Review 54: not a reader queued behind <paramref name="holder"/> as a waiting writer: the writer holds nothing
    /// (it read "meanwhile it holds a lock thread 'dashboard' waits for").</remarks>
    private static List<DiagnosedThread> LockWaitersOf(Diagnosis diagnosis, int holder) =>
        diagnosis.Threads.Where(t => t.Wait is { } w && w.Kind is not Brigade.Doctor.WaitKind.ThreadJoin && w.HasOwnerSemantics && !WaitRule.IsTimed(w.Api)
            && w.Owners.Contains(holder) && t.ManagedThreadId != holder && w.HolderRoles.GetValueOrDefault(holder) != RuntimeReader.QueuedBehindWriter).ToList();

    /// <summary>Whether a wait is for a lock, which has an owner while held (so a lock wait with none was caught as its
    /// holder let go), unlike a semaphore, an event or a wait handle.</summary>
    private static bool IsLock(ThreadWait wait) => wait.Kind is Brigade.Doctor.WaitKind.Monitor or Brigade.Doctor.WaitKind.Lock
        or Brigade.Doctor.WaitKind.ReaderWriterLockWrite or Brigade.Doctor.WaitKind.ReaderWriterLockRead or Brigade.Doctor.WaitKind.ReaderWriterLockUpgrade;

    /// <summary>Review 71: what another thread does to end an ownerless wait: an event is set, a countdown or a barrier
    /// signalled, a semaphore released.</summary>
    private static string EndingVerb(ThreadWait wait) => wait switch
    {
        { Kind: Brigade.Doctor.WaitKind.ManualResetEventSlim, Api: "CountdownEvent.Wait" or "Barrier.SignalAndWait" } => "signal it",
        { Kind: Brigade.Doctor.WaitKind.ManualResetEventSlim } => "set it",
        { Kind: Brigade.Doctor.WaitKind.WaitHandle, Target.TypeName: "System.Threading.AutoResetEvent" or "System.Threading.ManualResetEvent" or "System.Threading.EventWaitHandle" } => "set it",
        _ => "release it",
    };

    private static bool IsMutex(ThreadWait wait) => wait.Kind == Brigade.Doctor.WaitKind.WaitHandle && wait.Target is { } target
        && (target.TypeName == "System.Threading.Mutex" || target.HeldIn?.Contains("System.Threading.Mutex", StringComparison.Ordinal) == true);

    /// <summary>Review 59: what a wait on a task that has started running, on no thread whose frames show it, depends on. Such
    /// a task was described as "no thread runs its code now" (wrong: its delegate has started and not returned).</summary>
    internal static string RunningUnseen(Diagnosis diagnosis, DiagnosedThread waiter)
    {
        var cut = diagnosis.Threads.Where(t => t.StackCut && t != waiter).ToList();
        if (cut.Count == 0)
        {
            return "it has started running (it has not returned) on a thread whose frames do not show it: it ends when that code returns";
        }

        var names = string.Join(", ", cut.Take(3).Select(t => t.ToString())) + (cut.Count > 3 ? $" and {cut.Count - 3} more" : "");
        return $"it has started running (it has not returned), on a thread whose stack is deeper than the frames read ({names}; DoctorOptions.MaxFramesPerThread): it ends when that code returns, and if that thread is blocked too, only when what it waits for completes";
    }

    private static string Name(Diagnosis diagnosis, int managedId) =>
        diagnosis.Threads.FirstOrDefault(t => t.ManagedThreadId == managedId)?.ToString() ?? $"thread #{managedId}";

    /// <summary>Review 55: what a read from a socket or from the console waits for, in words a user acts on (before: only
    /// "waits in Socket.Receive", "waits in Console.ReadLine"); null for any other wait.</summary>
    internal static string? InputWait(string? api, string? detail) => api switch
    {
        "Socket.Receive" when detail == RuntimeReader.NoReceiveTimeout =>
            " — it waits for data on a socket with no receive timeout: if the peer never sends (nor closes the connection), it waits for ever; set ReceiveTimeout, or use ReceiveAsync with a CancellationToken",
        "Socket.Receive" when detail is null =>
            " — it waits for data on a socket: if the peer never sends (nor closes the connection), it waits as long as the socket's ReceiveTimeout, for ever without one; set ReceiveTimeout, or use ReceiveAsync with a CancellationToken",
        "Console.ReadLine" or "Console.Read" or "Console.ReadKey" =>
            $" — it waits for {(api == "Console.ReadLine" ? "a line" : api == "Console.ReadKey" ? "a key" : "a character")} on standard input: it ends when one is typed or written{(api == "Console.ReadKey" ? "" : ", or the input is closed (end of file)")}; where nobody types or feeds it (a service, a job whose input is a terminal or a pipe left open), it waits for ever: give it its input or redirect it (< file, < /dev/null), or do not read the console there",
        _ => null,
    };
}
