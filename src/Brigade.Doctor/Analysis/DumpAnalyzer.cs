using System.Diagnostics;
using Brigade.Doctor.Capture;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>Reads a dump and builds the <see cref="Diagnosis"/>: threads and waits, the wait-for graph's cycles, tasks, the pool.</summary>
internal static class DumpAnalyzer
{
    /// <param name="dumpPath">The dump.</param>
    /// <param name="options">Options.</param>
    /// <param name="processId">The process dumped, or null for a dump file.</param>
    /// <param name="dumpDuration">How long the dump took.</param>
    /// <param name="keptAt">Where the dump is kept, or null.</param>
    /// <param name="captureNote">How the dump was taken when it is worth a note (review 49: a refused unnamed dump that fell back to a named one), or null.</param>
    public static Diagnosis Analyze(string dumpPath, DoctorOptions options, int? processId, TimeSpan dumpDuration, string? keptAt, string? captureNote = null)
    {
        Mark("analysis starts");
        DumpFile.Validate(dumpPath);
        var watch = Stopwatch.StartNew();
        DataTarget target;
        try
        {
            target = DataTarget.LoadDump(dumpPath, new DataTargetOptions { Limits = new DataTargetLimits { MaxStackFrames = RuntimeReader.StackWalkLimit(options) } });
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new DoctorException(DoctorErrorKind.NotADump, $"'{dumpPath}' could not be read as a dump: {e.Message}", e);
        }

        using (target)
        {
            // Stack roots read lazily: cached, ClrMD reads every root of a thread before the first is returned, each matched
            // to its frame by a linear search of the stack, and RuntimeReader stops below the frames it keeps (review 58).
            target.CacheOptions.CacheStackRoots = false;
            var clr = target.ClrVersions.FirstOrDefault()
                ?? throw new DoctorException(DoctorErrorKind.NotDotNet, $"'{dumpPath}' holds no .NET (CoreCLR) runtime: it is not the dump of a .NET process");
            Mark("dump loaded");
            var version = DacLocator.RuntimeVersion(clr);
            DiagnosisParts parts;
            try
            {
                using var runtime = DacLocator.CreateRuntime(clr, options.DacPath, version);
                using var reader = new RuntimeReader(runtime, options);
                parts = Build(reader, options, version, dumpPath, processId);
            }
            catch (IOException e)
            {
                // ClrMD maps the file and reads where its headers point: past the end of a damaged file is an I/O error.
                throw new DoctorException(DoctorErrorKind.IncompleteDump, $"'{dumpPath}' could not be read ({e.Message.ReplaceLineEndings(" ").Trim()}): it is truncated or damaged; take the dump again", e);
            }

            return new Diagnosis(new DiagnosisParts
            {
                ProcessId = processId,
                RuntimeVersion = version ?? "unknown",
                Threads = parts.Threads,
                Deadlocks = parts.Deadlocks,
                SyncOverAsync = parts.SyncOverAsync,
                ThreadPool = parts.ThreadPool,
                BlockedWithoutOwner = parts.BlockedWithoutOwner,
                Reports = parts.Reports,
                DumpDuration = dumpDuration,
                AnalysisDuration = watch.Elapsed,
                DumpPath = keptAt,
                Notes = captureNote is null ? parts.Notes : [captureNote, .. parts.Notes],
            });
        }
    }

    /// <summary>The most heap objects walked for async flows when no thread waits on a task (review 56): a cycle of async
    /// locks nothing waits on is looked for on heaps up to this size (a few seconds of reading at most).</summary>
    internal const long SpeculativeHeapObjects = 2_000_000;

    private static readonly bool Trace = Environment.GetEnvironmentVariable("BRIGADE_DOCTOR_TRACE") == "1";
    private static readonly Stopwatch TraceWatch = Stopwatch.StartNew();

    internal static void Mark(string what)
    {
        if (Trace)
        {
            Console.Error.WriteLine($"[doctor] {TraceWatch.Elapsed.TotalMilliseconds,8:0.0} ms (clock {DateTime.UtcNow:HH:mm:ss.fff}) {what} (jitted {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} ms)");
        }
    }

    private static DiagnosisParts Build(RuntimeReader reader, DoctorOptions options, string? version, string dumpPath, int? processId)
    {
        Mark("runtime ready");
        var scans = reader.ReadThreads();
        Mark("threads read");
        var withFrames = scans.Count(s => s.Frames.Count > 0);
        var unwindTables = UnwindTableProbe.RuntimeUnwindTablesInDump(reader.Runtime);
        Mark($"runtime's unwind tables in the dump: {unwindTables?.ToString() ?? "unknown"}; {withFrames} of {scans.Count} threads with a managed frame");
        if (withFrames == 0 || unwindTables == false)
        {
            // A live .NET process always has managed frames (Main, the pool's worker loop). A core file without the
            // runtime's unwind tables has at most the frames of threads caught running managed code: "no pitfall" would
            // be a wrong all-clear, from stacks it could not read.
            var pid = processId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "PID";
            var what = withFrames == 0
                ? $"no readable thread stack ({scans.Count} threads, no managed frame)"
                : $"not its native unwind tables: only {withFrames} of {scans.Count} threads show a managed frame, the others' stacks cannot be read";
            throw new DoctorException(DoctorErrorKind.IncompleteDump,
                $"'{dumpPath}' has the .NET runtime but {what}; it is a core file without the file-backed memory of the runtime's libraries, " +
                $"as gcore and the kernel write by default; take the dump with brigade doctor --pid {pid} --keep-dump FILE " +
                $"or dotnet-dump collect, or run `echo 0x3f > /proc/{pid}/coredump_filter` before gcore");
        }

        reader.ResolveWaits(scans);
        Mark("waits resolved");
        var tasks = new TaskReader(reader);
        var queued = tasks.ReadPoolQueues();
        Mark("pool queues read");
        tasks.SetRunning(scans);
        var byId = scans.ToDictionary(s => s.ManagedId);

        // The async side (one heap walk), when a thread waits on a task: suspended flows, their awaits, the semaphores
        // and completion sources they wait on. An async hang always has a thread waiting on it somewhere (Main's
        // GetAwaiter().GetResult(), a .Result): without one, the walk is skipped.
        using var sites = new AwaitSites(reader.Lines);
        AsyncFlows? asyncFlows = null;
        var notes = new List<string>();
        // Review 44: and when a thread waits on a SemaphoreSlim with no free slot (not a BlockingCollection's): a suspended
        // flow may hold that slot, awaiting work that needs what the thread holds.
        var semaphoreWaits = scans.Where(IsSemaphoreSlotWait).ToList();
        var asyncHeap = scans.Exists(s => s.Kind == WaitKind.Task && !s.IsIdle && !s.Target.IsNull) || semaphoreWaits.Count > 0 ? AsyncHeap.Read(reader.Heap, options.MaxHeapObjects) : null;
        if (asyncHeap is { Truncated: true })
        {
            notes.Add($"Async flows not analysed: the heap has more than {options.MaxHeapObjects:N0} objects (DoctorOptions.MaxHeapObjects); no async-lock cycle or async hang is reported.");
        }
        else if (asyncHeap is not null)
        {
            foreach (var scan in semaphoreWaits)
            {
                asyncHeap.AddWaitedSemaphore(scan.Target);
            }

            asyncFlows = new AsyncFlows(asyncHeap, sites, reader.Domain, scans);
            asyncFlows.NameSemaphores(o => reader.FindHolder(o, []));
            tasks.Async = asyncFlows;
            Mark($"heap walked: {asyncFlows.Heap.Boxes.Count} suspended async methods, {asyncFlows.Heap.Semaphores.Count} semaphores with async waiters");
        }

        // Review 55: a full BlockingCollection no thread takes from: a consumer task that threw may still be on the heap, with
        // its exception (one walk, only then; a walk made for the async side serves). Review 61: an empty one no thread adds
        // to, its producer task dead the same way.
        if (scans.Exists(s => RuntimeReader.HasNoPeer(s.Detail))
            && (asyncHeap ?? AsyncHeap.Read(reader.Heap, options.MaxHeapObjects)) is { Truncated: false } faultedHeap)
        {
            RuntimeReader.NameDeadConsumers(scans, faultedHeap, reader.Lines);
        }

        foreach (var scan in scans.Where(s => s.Kind == WaitKind.Task && !s.Target.IsNull))
        {
            scan.Task = tasks.Describe(scan.Target);
            if (scan.AnyTasks.Count > 0)
            {
                AddAnyRunners(scan, tasks, byId);
                continue;
            }

            var waitedFor = scan.AllTasks.Where(t => t.Address != scan.Target.Address).Select(t => tasks.Describe(t)).Prepend(scan.Task);
            foreach (var waited in waitedFor)
            {
                AddRunners(scan, waited);
            }

            if (scan.AllTasks.Count > 1)
            {
                scan.Detail ??= $"one of {scan.AllTasks.Count}{CustomSchedulerWaits.AllNeeded}";
            }
        }

        if (asyncFlows is not null)
        {
            foreach (var scan in semaphoreWaits)
            {
                NameFlowHoldingSlot(scan, asyncFlows, tasks);
            }
        }

        // A thread with a SynchronizationContext (a UI thread) blocked on an async method whose continuation sits in that
        // context's queue: a cycle of one thread when it is the context's pump, or its pump has ended (review 63).
        ContextPumpWaits.Mark(reader, scans);

        SchedulerPairWaits.Mark(reader, scans);
        CustomSchedulerWaits.Mark(reader, scans, queued?.Count ?? 0);
        CustomSchedulerWaits.MarkQueuedContinuations(reader, scans);

        foreach (var scan in scans.Where(s => !s.Target.IsNull && !s.IsIdle && s.Kind is not WaitKind.Task))
        {
            var near = scan.Owners.Where(byId.ContainsKey).Select(o => byId[o]).Prepend(scan);
            scan.TargetHeldIn = reader.FindHolder(scan.Target, near);
        }

        // Doctor67: WaitHandle.WaitAny(handles) and WaitAll(handles) waited "in WaitHandle.WaitAny" on nothing named (the
        // frames root an array, not a handle): each handle of the application's array is named, as a WaitOne's is.
        foreach (var scan in scans.Where(s => s is { Kind: WaitKind.WaitHandle, Api: "WaitHandle.WaitAny" or "WaitHandle.WaitAll" } && s.Target.IsNull && s.Detail is null))
        {
            var handles = WaitHandlesOfArrays(scan);
            if (handles.Count > 0)
            {
                var named = handles.Take(4).Select(h => reader.FindHolder(h, [scan]) is { } holder ? $"{h.Type?.Name} ({holder})" : h.Type?.Name ?? "?");
                scan.Detail = $"{(scan.Api == "WaitHandle.WaitAny" ? "any" : "all")} of {handles.Count} handle{(handles.Count == 1 ? "" : "s")}: {string.Join(", ", named)}{(handles.Count > 4 ? $", and {handles.Count - 4} more" : "")}";
            }
        }

        Mark("holders named");
        ReleasersBehindLocks(reader, scans, asyncFlows?.Heap);
        var threads = new Dictionary<int, DiagnosedThread>();
        var ordered = new List<DiagnosedThread>();
        foreach (var scan in scans)
        {
            var wait = scan.Kind is { } kind
                ? new ThreadWait(kind, scan.Api!, scan.Target.IsNull ? null : new WaitObject(scan.Target.Address, scan.Target.Type?.Name ?? "?", scan.TargetHeldIn),
                    scan.Owners.Distinct().ToList(), scan.Task, scan.Detail, scan.Site, scan.HolderRoles)
                : null;
            var thread = new DiagnosedThread(scan.ManagedId, scan.Thread.OSThreadId, scan.Name, scan.IsPoolWorker, scan.IsIdle, wait, scan.Frames.Select(f => f.Display).ToList())
            {
                StackCut = reader.IsPartial(scan.ManagedId),
            };
            threads[scan.ManagedId] = thread;
            ordered.Add(thread);
        }

        // A timed wait (Task.Wait(timeout)) ends by itself: its holder is named, but it is no edge. A TryEnter's timeout is
        // not in the dump (Timeout.Infinite takes the same path): cycles through one are reported as possible deadlocks,
        // after (and apart from) the certain ones.
        var waits = ordered.Where(t => t.Wait is { Owners.Count: > 0 } w && !WaitRule.IsTimed(w.Api)).ToList();
        var graphs = new[]
        {
            (Edges: waits.Where(t => !WaitRule.TimeoutUnknown(t.Wait!.Api) && t.Wait!.Kind != WaitKind.SemaphoreSlim
                && !t.Wait.HolderRoles.Values.Any(r => r.StartsWith(SignalsAfterLock, StringComparison.Ordinal) || r.StartsWith(CompletesAfterLock, StringComparison.Ordinal)
                    || r.StartsWith(SetsAfterWait, StringComparison.Ordinal) || r.StartsWith(TakesAfterLock, StringComparison.Ordinal) || r.StartsWith(ReadsAfterLock, StringComparison.Ordinal)
                    || r.StartsWith(HandleReleasedAfterLock, StringComparison.Ordinal) || r.StartsWith(AcquiredMutex, StringComparison.Ordinal)
                    || r.StartsWith(AddsAfterLock, StringComparison.Ordinal) || r.StartsWith(PulsedAfterLock, StringComparison.Ordinal))
                && t.Wait.Detail?.StartsWith(CustomSchedulerWaits.Marker, StringComparison.Ordinal) != true
                && t.Wait.Detail?.StartsWith(CustomSchedulerWaits.MayContinuationMarker, StringComparison.Ordinal) != true
                && t.Wait.Detail?.StartsWith(ContextPumpWaits.MayPumpGoneMarker, StringComparison.Ordinal) != true).ToDictionary(t => t.ManagedThreadId, t => t.Wait!.Owners.Where(threads.ContainsKey).ToList()), Possible: false),
            (Edges: waits.ToDictionary(t => t.ManagedThreadId, t => t.Wait!.Owners.Where(threads.ContainsKey).ToList()), Possible: true),
        };
        var deadlocks = new List<DeadlockCycle>();
        var livelocks = new List<DeadlockCycle>();
        var inCycles = new HashSet<int>();
        foreach (var (edges, possible) in graphs)
        {
            foreach (var (cycle, stuck) in WaitGraph.FindCycles(edges).Where(c => !c.Cycle.Exists(inCycles.Contains)))
            {
                var links = cycle.Select((id, i) => new DeadlockLink(threads[id], threads[cycle[(i + 1) % cycle.Count]])).ToList();
                var found = new DeadlockCycle(links, stuck.Where(s => !inCycles.Contains(s)).Select(s => threads[s]).ToList()) { IsPossible = possible };
                // Review 72: every wait a TryEnter whose caller passes a finite literal timeout: threads retrying each
                // other's locks, a possible livelock, never a deadlock.
                (possible && links.TrueForAll(l => WaitRule.GivesUp(l.Wait)) ? livelocks : deadlocks).Add(found);
            }

            inCycles.UnionWith(deadlocks.Concat(livelocks).SelectMany(d => d.Threads.Concat(d.AlsoStuck)).Select(t => t.ManagedThreadId));
        }

        deadlocks.AddRange(SemaphoreSelfWaits(reader, scans, threads, waits, inCycles));

        // Review 56: async flows that deadlock on each other's SemaphoreSlim slots block no thread, and in a service nothing
        // waits on them (Main in Thread.Sleep, Console.ReadLine or an event wait; requests nobody awaits): the walk
        // above never ran and the dump read "No pitfall found". When nothing else was found and the heap was not walked,
        // walk it for such a cycle alone (no hang: that needs a thread waiting), on a bounded heap: a healthy service's
        // large heap should not cost a minute of reading for a cycle that is seldom there.
        var semaphoreFlows = asyncFlows is not null;
        var walked = asyncHeap;
        if (asyncFlows is null && asyncHeap is null && deadlocks.Count == 0)
        {
            var speculative = AsyncHeap.Read(reader.Heap, Math.Min(options.MaxHeapObjects, SpeculativeHeapObjects));
            if (speculative.Truncated)
            {
                notes.Add($"Async flows not analysed: no thread waits on a task and the heap has more than {Math.Min(options.MaxHeapObjects, SpeculativeHeapObjects):N0} objects; an async-lock cycle among flows nothing waits on is not looked for.");
            }
            else
            {
                walked = speculative;
            }

            if (!speculative.Truncated && (speculative.Semaphores.Count > 0 || AwaitCycles.Worth(speculative)))
            {
                // Review 57: or a cycle of awaits may be there (async methods awaiting each other's tasks, or a completion
                // source whose completer may await back); the semaphores' flows are read only when there are semaphores.
                asyncFlows = new AsyncFlows(speculative, sites, reader.Domain, scans);
                semaphoreFlows = speculative.Semaphores.Count > 0;
                if (semaphoreFlows)
                {
                    asyncFlows.NameSemaphores(o => reader.FindHolder(o, []));
                }

                tasks.Async = asyncFlows;
                Mark($"heap walked (no thread waits on a task): {asyncFlows.Heap.Boxes.Count} suspended async methods, {asyncFlows.Heap.Semaphores.Count} semaphores with async waiters");
            }
        }

        List<AsyncFindings.Hang> asyncHangs = [];
        if (asyncFlows is not null)
        {
            // Threads holding a throttle's every slot while blocked on a loop whose bodies wait for it: before the flows'
            // findings, which then leave these threads out.
            List<DeadlockCycle> throttles = semaphoreFlows ? ThrottleDeadlocks.Find(asyncFlows, ordered, inCycles) : [];
            deadlocks.AddRange(throttles);
            List<DeadlockCycle> asyncCycles = [];
            if (semaphoreFlows)
            {
                (asyncCycles, asyncHangs) = AsyncFindings.Find(asyncFlows, tasks, ordered, inCycles);
                deadlocks.AddRange(asyncCycles);
                inCycles.UnionWith(asyncCycles.SelectMany(d => d.AlsoStuck).Select(t => t.ManagedThreadId));
            }

            // Review 57: async methods awaiting each other's tasks in a cycle (certain when every link is an await the heap
            // shows; possible through a completion source's only completer or a semaphore's only holder).
            var awaitCycles = AwaitCycles.Find(asyncFlows, tasks, ordered, inCycles);
            deadlocks.AddRange(awaitCycles);
            inCycles.UnionWith(awaitCycles.SelectMany(d => d.AlsoStuck).Select(t => t.ManagedThreadId));
            Mark($"async flows analyzed: {throttles.Count} throttle deadlocks, {asyncCycles.Count} cycles, {asyncHangs.Count} hangs, {awaitCycles.Count} await cycles");
        }

        if (sites.StaleModules.Count > 0)
        {
            notes.Add($"Awaits left unmapped in {string.Join(", ", sites.StaleModules)}: the file on disk is not the build the dump ran (another MVID); no slot is attributed from its code.");
        }

        var pool = PoolSnapshot(reader, ordered, queued);
        var syncOverAsync = ordered.Where(t => t.Wait?.Kind == WaitKind.Task && !t.IsIdle).ToList();
        var blockedWithoutOwner = ordered.Where(t => t.Wait is { Owners.Count: 0 } w && w.Kind is not WaitKind.Sleep and not WaitKind.IO
            && !t.IsIdle && t.RunsApplicationCode && !inCycles.Contains(t.ManagedThreadId)).ToList();

        // Review 64c: threads waiting for ever on a SemaphoreSlim whose releasing task ended (cancelled before it ran, or with
        // an exception before its Release): read from the ended tasks the one heap walk collected, only when it ran.
        var endedReleasers = asyncHeap is { Truncated: false } && semaphoreWaits.Count > 0
            ? EndedReleasers.Find(semaphoreWaits.Where(s => !inCycles.Contains(s.ManagedId)), scans, asyncHeap, reader.Lines)
                .Select(f => (Waiters: f.Waiters.Select(id => threads[id]).ToList(), Found: f)).ToList()
            : [];
        // Review 71: threads waiting, with no timeout, on what no code left in the process can signal (a lost Pulse, an event
        // nothing sets, a completion source only the waiter refers to) read "No pitfall found": a hang, possible or certain.
        var reportedHangs = asyncHangs.Select(h => h.Thread.ManagedThreadId).Concat(endedReleasers.SelectMany(e => e.Waiters).Select(t => t.ManagedThreadId)).ToHashSet();
        var candidates = OwnerlessCandidates(reader, scans, byId, blockedWithoutOwner.Where(t => !reportedHangs.Contains(t.ManagedThreadId)));
        if (candidates.Count > 0 && walked is null)
        {
            walked = AsyncHeap.Read(reader.Heap, Math.Min(options.MaxHeapObjects, SpeculativeHeapObjects));
        }

        var ownerless = OwnerlessHangs.Find(reader, scans, threads, candidates, inCycles, walked, queued is { Count: > 0 }, options.MaxHeapObjects);
        Mark($"ownerless waits: {candidates.Count} untimed, {ownerless.Count} hangs");
        var reports = ReportBuilder.Build(options.TimeProvider.GetUtcNow(), deadlocks, pool, syncOverAsync.Where(t => t.IsThreadPoolWorker && !inCycles.Contains(t.ManagedThreadId)).ToList(), ordered, asyncHangs,
            endedReleasers, ownerless, livelocks);
        return new DiagnosisParts
        {
            RuntimeVersion = version ?? "unknown",
            Threads = ordered,
            Deadlocks = deadlocks,
            SyncOverAsync = syncOverAsync,
            ThreadPool = pool,
            BlockedWithoutOwner = blockedWithoutOwner,
            Reports = reports,
            Notes = notes,
        };
    }

    /// <summary>The threads running the code of <paramref name="waited"/> or of what it awaits, down its chain and into
    /// every flow a <c>Task.WhenAll</c> on it joins (it needs them all, as <c>Task.WaitAll</c> does; a <c>WhenAny</c> needs
    /// only one, so its flows are no owners): each is an owner of the wait.</summary>
    private static void AddRunners(ThreadScan scan, AwaitedTask waited)
    {
        foreach (var runner in Runners(waited))
        {
            if (runner != scan.ManagedId && !scan.Owners.Contains(runner))
            {
                scan.Owners.Add(runner);
            }
        }
    }

    /// <summary>The threads running the code of a task, of what it awaits, and of what a <c>Task.WhenAll</c> on the way joins.</summary>
    private static IEnumerable<int> Runners(AwaitedTask waited)
    {
        for (var task = waited; task is not null; task = task.Awaits)
        {
            if (task.RunningOnThread is { } runner)
            {
                yield return runner;
            }

            if (task.Description.StartsWith("Task.WhenAll", StringComparison.Ordinal))
            {
                foreach (var joined in task.AwaitsAll.SelectMany(Runners))
                {
                    yield return joined;
                }
            }
        }
    }

    /// <summary>
    /// Doctor67: <c>Task.WaitAny(tasks)</c> (no timeout) ends when any one of its tasks does, so the threads running them are
    /// its owners only when every one of its tasks runs on a thread that waits, without a timeout, for what this thread
    /// holds (<c>lock (Routes) { Task.WaitAny(Task.Run(Probe), Task.Run(Probe)); }</c>, each <c>Probe</c> taking
    /// <c>Routes</c>): then none can end, and a cycle through any of them is certain. Before, it read "No pitfall found", the
    /// wait "for task of type CompleteOnInvokePromise" (WaitAny's own promise) with "no thread runs its code".
    /// </summary>
    private static void AddAnyRunners(ThreadScan scan, TaskReader tasks, Dictionary<int, ThreadScan> byId)
    {
        var count = scan.AnyTasks.Count;
        var perTask = scan.AnyTasks.Select(t => (t.Address == scan.Target.Address ? scan.Task! : tasks.Describe(t)))
            .Select(t => Runners(t).Where(r => r != scan.ManagedId).Distinct().ToList()).ToList();
        var runners = perTask.SelectMany(r => r).Distinct().ToList();
        var allHeld = perTask.TrueForAll(r => r.Count > 0) && runners.TrueForAll(r => byId.TryGetValue(r, out var runner)
            && runner is { IsIdle: false, Api: { } api } && runner.Owners.Contains(scan.ManagedId) && !WaitRule.IsTimed(api) && !WaitRule.TimeoutUnknown(api));
        if (allHeld)
        {
            scan.Owners.AddRange(runners.Where(r => !scan.Owners.Contains(r)));
        }

        if (count > 1)
        {
            scan.Detail ??= allHeld
                ? $"any one of {count} ends it, and the code of every one of them waits for what this thread holds"
                : $"any one of {count} ends it";
        }
    }

    /// <summary>Whether a thread waits, without a timeout, in <c>SemaphoreSlim.Wait</c> on a semaphore with no free slot
    /// (a <c>BlockingCollection</c>'s waits are on its own semaphores, which no flow takes).</summary>
    private static bool IsSemaphoreSlotWait(ThreadScan scan) =>
        scan is { Kind: WaitKind.SemaphoreSlim, IsIdle: false, Api: "SemaphoreSlim.Wait" } && scan.Target.Type?.Name == "System.Threading.SemaphoreSlim"
        && scan.Target.TryReadField<int>("m_currentCount", out var count) && count == 0 && !HasTimedSemaphoreWait(scan);

    /// <summary>
    /// Review 44: a thread blocked in <c>SemaphoreSlim.Wait</c> on a semaphore of one slot (a lock made of a semaphore)
    /// whose slot one suspended async flow took (<see cref="AsyncFlows.MayHold"/>: past its await of <c>WaitAsync</c>, no
    /// <c>Release</c> on the way), and no other: the wait names that flow, and the threads running what the flow awaits
    /// (a <c>Task.Run</c>'s code) are its owners, so a cycle through them (that code waiting for a lock this thread holds)
    /// is found. A semaphore records no owner, so such a cycle is a <em>possible</em> deadlock (see the graphs below).
    /// </summary>
    private static void NameFlowHoldingSlot(ThreadScan scan, AsyncFlows flows, TaskReader tasks)
    {
        if (!flows.Heap.Semaphores.TryGetValue(scan.Target.Address, out var semaphore) || semaphore is not { CurrentCount: 0, MaxCount: 1 })
        {
            return;
        }

        var holders = flows.Heap.Boxes.Values.Select(b => (Box: b, Held: flows.MayHold(b).Where(h => h.Semaphore == semaphore).ToList()))
            .Where(p => p.Held.Count > 0).ToList();
        if (holders is not [var (box, held)])
        {
            return;
        }

        var at = held[0].At;
        var name = flows.FrameOf(box) is { } frame ? TaskReader.AsyncMethodName(frame.Type) : "?";
        var where = $"at {at.Display}{(at.Location is null ? "" : $" ({at.Location})")}";
        for (var task = tasks.Describe(box); task is not null; task = task.Awaits)
        {
            if (task.RunningOnThread is { } runner && runner != scan.ManagedId && !scan.Owners.Contains(runner))
            {
                scan.Owners.Add(runner);
                scan.HolderRoles[runner] = $"async flow {name} took {where}, awaiting a task whose code runs on";
            }
        }

        // With no thread running what the flow awaits (a timer, I/O, a completion source), the flow is named all the same,
        // with what it awaits (review 57: "it releases the slot when what it awaits completes" said not what that was).
        if (scan.Owners.Count > 0)
        {
            scan.Detail = "count 0 of 1";
            return;
        }

        var leaf = AsyncFindings.Leaf(tasks.Describe(box));
        scan.Detail = $"count 0 of 1, its slot taken by async flow {name} {where}" + (leaf.Address == box.Address ? "" : $", which awaits {leaf.Description}");

        // Review 57: that flow awaits a completion source which this thread's own method completes after this very Wait
        // (both static fields): each waits for the other. Possible (any code may Release the slot or complete the source):
        // the thread owns its own wait, a cycle of one in the graph of possible cycles.
        if (flows.Heap.SourceOf.TryGetValue(leaf.Address, out var source) && scan.WaitFrame >= 0
            && scan.Frames.Skip(scan.WaitFrame + 1).FirstOrDefault(f => !f.IsFramework)?.Frame.Method is { } method
            && flows.CompletedAfterWait(method, semaphore, source.Address) is { } completes)
        {
            scan.Owners.Add(scan.ManagedId);
            scan.Detail += $"{ReportBuilder.OwnCompletion} ({completes.Display}{(completes.Location is null ? "" : $" at {completes.Location}")}): the flow waits for this thread, and this thread for the flow";
        }
    }

    /// <summary>
    /// A thread blocked without a timeout in <c>SemaphoreSlim.Wait</c> on a semaphore of one slot (count 0 of 1) whose slot
    /// its own stack shows it took (<see cref="AsyncThreadHolders.TakenAt"/>, for that very semaphore): a lock made of a
    /// semaphore re-entered through a callback, an event handler or a helper. A <c>SemaphoreSlim</c> is not reentrant and
    /// records no owner, so this is a <em>possible</em> deadlock of one thread (any code may call <c>Release</c>), the
    /// synchronous twin of an async flow waiting on its own slot.
    /// </summary>
    private static List<DeadlockCycle> SemaphoreSelfWaits(RuntimeReader reader, List<ThreadScan> scans, Dictionary<int, DiagnosedThread> threads,
        List<DiagnosedThread> waits, HashSet<int> inCycles)
    {
        var found = new List<DeadlockCycle>();
        AsyncThreadHolders? holders = null;
        foreach (var scan in scans.Where(s => s.Kind == WaitKind.SemaphoreSlim && !s.IsIdle && !s.Target.IsNull && !inCycles.Contains(s.ManagedId)))
        {
            if (!scan.Target.TryReadField<int>("m_currentCount", out var count) || count != 0
                || !scan.Target.TryReadField<int>("m_maxCount", out var max) || max != 1 || HasTimedSemaphoreWait(scan))
            {
                continue;
            }

            var thread = threads[scan.ManagedId];
            holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
            var semaphore = new SemaphoreInfo(scan.Target, count, max) { HeldIn = scan.TargetHeldIn };
            if (holders.TakenAt(thread, semaphore) is not { Surely: true } taken)
            {
                continue;
            }

            var edges = waits.ToDictionary(t => t.ManagedThreadId, t => t.Wait!.Owners.Where(threads.ContainsKey).ToList());
            edges[scan.ManagedId] = [scan.ManagedId];
            var stuck = WaitGraph.FindCycles(edges).Where(c => c.Cycle is [var only] && only == scan.ManagedId).SelectMany(c => c.AlsoStuck)
                .Where(id => !inCycles.Contains(id)).Select(id => threads[id]).ToList();
            found.Add(new DeadlockCycle([new DeadlockLink(thread, thread)], stuck) { IsPossible = true, SlotTakenAt = taken.At });
            inCycles.Add(scan.ManagedId);
            inCycles.UnionWith(stuck.Select(t => t.ManagedThreadId));
        }

        return found;
    }

    /// <summary>The role of a thread whose code releases a semaphore's slot after the lock it waits for, which the
    /// semaphore's waiter holds (review 59).</summary>
    internal const string ReleasesAfterLock = "would be given back (";

    /// <summary>
    /// Review 59: a thread waits without a timeout in <c>SemaphoreSlim.Wait</c> on a semaphore with no free slot, while it
    /// holds a lock that another thread waits for, and that thread's own method calls <c>Release</c> on this very semaphore
    /// after the lock (<c>Rent</c> waits for a free connection inside <c>lock (_gate)</c>; <c>Return</c> needs <c>_gate</c>
    /// before it releases one). Read "No pitfall found" with "if that thread is to release it, they deadlock": the releaser
    /// is now the waiter's owner, so the cycle is reported, as a possible one (a semaphore records no owner: other code
    /// may release it).
    /// </summary>
    private static void ReleasersBehindLocks(RuntimeReader reader, List<ThreadScan> scans, AsyncHeap? heap)
    {
        AsyncThreadHolders? holders = null;
        foreach (var waiter in scans.Where(s => s.Kind == WaitKind.SemaphoreSlim && !s.IsIdle && !s.Target.IsNull && s.Owners.Count == 0 && !HasTimedSemaphoreWait(s)))
        {
            if (!waiter.Target.TryReadField<int>("m_currentCount", out var count) || count != 0 || !waiter.Target.TryReadField<int>("m_maxCount", out var max))
            {
                continue;
            }

            var semaphore = new SemaphoreInfo(waiter.Target, count, max) { HeldIn = waiter.TargetHeldIn };
            foreach (var releaser in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if (holders.ReleasesAfter(releaser, semaphore) is { } at)
                {
                    waiter.Owners.Add(releaser.ManagedId);
                    waiter.HolderRoles[releaser.ManagedId] = $"{ReleasesAfterLock}{at} calls Release on it after the lock it waits for) by";
                }
            }
        }

        // Review 60: the same for a Barrier whose missing participant, or a CountdownEvent whose missing signaller, waits for
        // a lock the waiter holds, its code arriving (SignalAndWait) or signalling (Signal) after that lock. Read "No pitfall
        // found" with "if that thread is to signal it, they deadlock": the dump shows it is, unless other code does instead.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.ManualResetEventSlim, Api: "Barrier.SignalAndWait" or "CountdownEvent.Wait", IsIdle: false }
            && !s.Target.IsNull && s.Owners.Count == 0 && !HasTimedWait(s, s.Api!.StartsWith("Barrier.", StringComparison.Ordinal) ? "System.Threading.Barrier" : "System.Threading.CountdownEvent", s.Api[(s.Api.IndexOf('.', StringComparison.Ordinal) + 1)..])))
        {
            var barrier = waiter.Api!.StartsWith("Barrier.", StringComparison.Ordinal);
            var (typeName, method) = barrier ? ("Barrier", "SignalAndWait") : ("CountdownEvent", "Signal");
            if (waiter.Target.Type?.Name != $"System.Threading.{typeName}")
            {
                continue;
            }

            var target = new SemaphoreInfo(waiter.Target, 0, 0) { HeldIn = waiter.TargetHeldIn };
            foreach (var releaser in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if (holders.ReleasesAfter(releaser, target, typeName, method) is { } at)
                {
                    waiter.Owners.Add(releaser.ManagedId);
                    waiter.HolderRoles[releaser.ManagedId] = barrier
                        ? $"{SignalsAfterLock}{at} arrives at it, with SignalAndWait, after the lock it waits for) by"
                        : $"{SignalsAfterLock}{at} calls Signal on it after the lock it waits for) by";
                }
            }
        }

        // Review 64: the same for a ManualResetEventSlim that a thread joining the waiter (Thread.Join without a timeout) sets
        // after the Join, or a thread blocked on the waiter's lock sets after the lock: `worker.Join(); started.Set();` while the
        // worker waits for `started`. Read "No pitfall found", the event "no owner to blame", the joiner "held by" the worker.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.ManualResetEventSlim, Api: "ManualResetEventSlim.Wait", IsIdle: false }
            && !s.Target.IsNull && s.Owners.Count == 0 && s.Target.Type?.Name == "System.Threading.ManualResetEventSlim"
            && !HasTimedEventWait(s)))
        {
            var target = new SemaphoreInfo(waiter.Target, 0, 0) { HeldIn = waiter.TargetHeldIn };
            foreach (var setter in scans.Where(r => r != waiter && IsUntimedWaitFor(r, waiter)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if (holders.ReleasesAfter(setter, target, "ManualResetEventSlim", "Set") is { } at)
                {
                    waiter.Owners.Add(setter.ManagedId);
                    waiter.HolderRoles[setter.ManagedId] = $"{SetsAfterWait}{at} calls Set on it after the {(setter.Kind == WaitKind.ThreadJoin ? "Join" : "lock")} it waits in) by";
                }
            }
        }

        // Review 65b: the same for a ManualResetEvent or AutoResetEvent waited on with WaitOne() (no timeout) under a lock whose
        // waiter's code sets that very event after the lock: `lock (Cache) { Loaded.WaitOne(); }` while the loader runs
        // `lock (Cache) { Loaded.Set(); }`. The wait roots only the event's SafeWaitHandle: the setter's receiver is matched
        // through the event's _waitHandle. Read "No pitfall found" with "if that thread is to signal it, they deadlock".
        // Review 66: the same for WaitHandle.WaitAny(handles) and WaitAll(handles) (no timeout), whose handles are the
        // elements of the WaitHandle[] the waiter's frames root, and for a kernel Semaphore its code releases after the lock
        // (`lock (Cache) { Slots.Release(); }`): both read "No pitfall found". Possible: other code may set or release it.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.WaitHandle, Api: "WaitHandle.WaitOne" or "WaitHandle.WaitAny" or "WaitHandle.WaitAll", IsIdle: false }
            && s.Owners.Count == 0))
        {
            holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
            var handles = new HashSet<ulong>();
            if (waiter.Api == "WaitHandle.WaitOne")
            {
                if (waiter.Target.IsNull || HasTimedHandleWait(reader, holders, waiter))
                {
                    continue;
                }

                var handle = waiter.Target.Type?.Name == "Microsoft.Win32.SafeHandles.SafeWaitHandle" ? waiter.Target
                    : waiter.Target.TryReadObjectField("_waitHandle", out var safe) && safe is { IsNull: false, IsValid: true } ? safe : default;
                if (!handle.IsNull)
                {
                    handles.Add(handle.Address);
                }
            }
            else if (waiter.WaitFrame + 1 < waiter.Frames.Count && !waiter.Frames[waiter.WaitFrame + 1].IsFramework
                && holders.CallsOnlyWith(waiter, "WaitHandle", waiter.Api![(waiter.Api!.IndexOf('.', StringComparison.Ordinal) + 1)..], 1))
            {
                handles.UnionWith(HandlesOfArrays(waiter));
            }

            if (handles.Count == 0)
            {
                continue;
            }

            foreach (var setter in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                if (holders.SignalsAfter(setter, handles, "EventWaitHandle", "Set", "System.Threading.EventWaitHandle") is { } at)
                {
                    waiter.Owners.Add(setter.ManagedId);
                    waiter.HolderRoles[setter.ManagedId] = $"{SetsAfterWait}{at} calls Set on it after the lock it waits in) by";
                }
                else if (holders.SignalsAfter(setter, handles, "Semaphore", "Release", "System.Threading.Semaphore") is { } released)
                {
                    waiter.Owners.Add(setter.ManagedId);
                    waiter.HolderRoles[setter.ManagedId] = $"{HandleReleasedAfterLock}{released} calls Release on it after the lock it waits in) by";
                }
            }
        }

        // Doctor67: nested monitor lockout. Monitor.Wait(Inner) (no timeout) lets go of Inner only: a waiter that holds another
        // lock meanwhile (`lock (Outer) { lock (Inner) { while (!ready) Monitor.Wait(Inner); } }`) is never pulsed by a thread
        // whose code takes Outer before it pulses (`lock (Outer) { lock (Inner) { ready = true; Monitor.PulseAll(Inner); } }`).
        // Read "No pitfall found" with "if that thread is to pulse it, they deadlock". Possible: other code may pulse it.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.MonitorWait, Api: "Monitor.Wait", IsIdle: false } && s.Owners.Count == 0 && !s.Target.IsNull))
        {
            var pulsers = scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId)
                && !WaitRule.IsTimed(r.Api!) && r.Target.Address != waiter.Target.Address).ToList();
            holders ??= pulsers.Count > 0 ? new AsyncThreadHolders(reader.Domain, scans, reader.Lines) : null;
            if (pulsers.Count == 0 || HasTimedMonitorWait(reader, holders!, waiter))
            {
                continue;
            }

            var target = new SemaphoreInfo(waiter.Target, 0, 0) { HeldIn = waiter.TargetHeldIn };
            foreach (var pulser in pulsers)
            {
                if (holders!.PulsesAfter(pulser, target) is { } at)
                {
                    waiter.Owners.Add(pulser.ManagedId);
                    waiter.HolderRoles[pulser.ManagedId] = $"{PulsedAfterLock}{at} on it after the lock it waits for) by";
                }
            }
        }

        // Review 66: a kernel Mutex waited on with WaitOne(), held (by its code) by a thread blocked on something the waiter
        // holds: `Orders.WaitOne(); ... lock (Cache)` against `lock (Cache) { Orders.WaitOne(); }`, or two Mutexes taken in
        // opposite orders. Both read "No pitfall found", each Mutex "owned by the thread that acquired it, which the dump does
        // not show". The owner is not in the dump (the runtime's native wait subsystem keeps it); the holder's code is: a
        // frame on its stack called WaitOne() on this very Mutex before the call it is in, with no ReleaseMutex between.
        // Possible: IL order is not the path taken, and a method it called may have released it.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.WaitHandle, Api: "WaitHandle.WaitOne", IsIdle: false } && s.Owners.Count == 0
            && !s.Target.IsNull && s.Target.Type?.Name == "Microsoft.Win32.SafeHandles.SafeWaitHandle" && s.TargetHeldIn?.Contains("System.Threading.Mutex", StringComparison.Ordinal) == true))
        {
            holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
            if (HasTimedHandleWait(reader, holders, waiter))
            {
                continue;
            }

            foreach (var owner in scans.Where(r => r != waiter && !r.IsIdle && r.Kind is not null))
            {
                if (holders.AcquiredBefore(owner, waiter.Target) is { } at)
                {
                    waiter.Owners.Add(owner.ManagedId);
                    waiter.HolderRoles[owner.ManagedId] = $"{AcquiredMutex}{at} calls WaitOne() on it, and no ReleaseMutex since) by";
                }
            }
        }

        // Review 64: the same for a producer blocked in BlockingCollection.Add on a full collection (no timeout) while it holds
        // a lock whose waiter's code takes from that very collection after the lock: its only taker waits for it. Read "No
        // pitfall found" with "no thread is taking from it". Possible: other code may take an item.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.SemaphoreSlim, Api: "BlockingCollection.Add", IsIdle: false } && s.Owners.Count == 0
            && s.Target.Type?.Name is { } type && type.StartsWith(WaitRule.BlockingCollectionType, StringComparison.Ordinal)))
        {
            var target = new SemaphoreInfo(waiter.Target, 0, 0) { HeldIn = waiter.TargetHeldIn };
            foreach (var taker in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if ((holders.ReleasesAfter(taker, target, "BlockingCollection", "Take", waiter.Target.Type!.Name!)
                    ?? holders.ReleasesAfter(taker, target, "BlockingCollection", "TryTake", waiter.Target.Type!.Name!)) is { } at)
                {
                    waiter.Owners.Add(taker.ManagedId);
                    waiter.HolderRoles[taker.ManagedId] = $"{TakesAfterLock}{at} takes from it after the lock it waits for) by";
                }
            }
        }

        // Review 66: the mirror: a consumer blocked in BlockingCollection.Take() (no timeout, no token: the application's
        // method calls only Take(), which runs TryTake(out item, Timeout.Infinite, default)) while it holds a lock whose waiter's code adds to that
        // very collection after the lock: `lock (_gate) { return _queue.Take(); }` against `lock (_gate) { _queue.Add(x); }`.
        // Read "No pitfall found" with "if that thread is to add an item to it, they deadlock". Possible: other code may add.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.SemaphoreSlim, Api: "BlockingCollection.Take", IsIdle: false } && s.Owners.Count == 0
            && s.Target.Type?.Name is { } type && type.StartsWith(WaitRule.BlockingCollectionType, StringComparison.Ordinal)))
        {
            holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
            if (!holders.CallsOnlyWith(waiter, "BlockingCollection", "Take", 0))
            {
                continue;
            }

            var target = new SemaphoreInfo(waiter.Target, 0, 0) { HeldIn = waiter.TargetHeldIn };
            foreach (var adder in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                if ((holders.ReleasesAfter(adder, target, "BlockingCollection", "Add", waiter.Target.Type!.Name!)
                    ?? holders.ReleasesAfter(adder, target, "BlockingCollection", "TryAdd", waiter.Target.Type!.Name!)) is { } at)
                {
                    waiter.Owners.Add(adder.ManagedId);
                    waiter.HolderRoles[adder.ManagedId] = $"{AddsAfterLock}{at} adds to it after the lock it waits for) by";

                    // Doctor67: "no thread is adding to it now" beside "to which an item would be added by" that thread read as
                    // a contradiction: no thread is in Add, but this one's code adds after the lock.
                    waiter.Detail = waiter.Detail?.Replace($"; {RuntimeReader.NoAdder}", "", StringComparison.Ordinal);
                }
            }
        }

        // Review 64b: the same for a writer blocked on a full bounded Channel (WriteAsync(...).AsTask().Wait(), no timeout) while
        // it holds a lock whose waiter's code reads from that very channel after the lock (through its Reader: another
        // object, fetched by a call). Read "No pitfall found", the writer "its reader has ended". Possible: other code may read.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.Task, IsIdle: false } && s.Owners.Count == 0 && !s.Target.IsNull && !WaitRule.IsTimed(s.Api!)))
        {
            var operation = waiter.Target.TryReadObjectField("_source", out var source) && source is { IsNull: false, IsValid: true } ? source : waiter.Target;
            if (heap?.ChannelOfOperation.GetValueOrDefault(operation.Address) is not { IsNull: false } channel || !IsFull(channel))
            {
                continue;
            }

            foreach (var consumer in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if (holders.ReadsAfter(consumer, channel, ChannelReads) is { } at)
                {
                    waiter.Owners.Add(consumer.ManagedId);
                    waiter.HolderRoles[consumer.ManagedId] = $"{ReadsAfterLock}{at} reads from it after the lock it waits for) by";
                    if (waiter.Task is { } written)
                    {
                        written.Description = TaskReader.WithReaderBehindLock(written.Description);
                    }
                }
            }
        }

        // Review 63: the same for a TaskCompletionSource's task waited on under a lock (Task.Wait(), .Result) whose setter is
        // blocked on that lock, its code completing a source of that type after it (Parallel.ForEach bodies: item 0 waits,
        // under the lock, for what item 1 sets under it). Read "No pitfall found", the source "nothing has completed yet".
        // Which source the setter's code completes is not read (an array element, a dictionary's value): a possible cycle.
        foreach (var waiter in scans.Where(s => s is { Kind: WaitKind.Task, IsIdle: false, Task: { } task } && s.Owners.Count == 0 && !WaitRule.IsTimed(s.Api!)
            && AsyncFindings.Leaf(task).Description.StartsWith(UncompletedSource, StringComparison.Ordinal)))
        {
            foreach (var setter in scans.Where(r => r != waiter && r.Kind is WaitKind.Monitor or WaitKind.Lock && r.Owners.Contains(waiter.ManagedId) && !WaitRule.IsTimed(r.Api!)))
            {
                holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                if (holders.CallsAfter(setter, "TaskCompletionSource", SourceSetters) is { } at)
                {
                    waiter.Owners.Add(setter.ManagedId);
                    waiter.HolderRoles[setter.ManagedId] = $"{CompletesAfterLock}{at} on a TaskCompletionSource of this type after the lock it waits for) by";
                }
            }
        }
    }

    /// <summary>Doctor67: the words by which a thread in <c>Monitor.Wait</c> names a thread, blocked on another lock the waiter
    /// holds, whose code pulses the waited object after that lock.</summary>
    internal const string PulsedAfterLock = "which would be pulsed (";

    /// <summary>Review 64b: the words by which a writer blocked on a full bounded <c>Channel</c> names a thread, blocked on the
    /// lock the writer holds, whose code reads from that channel after the lock.</summary>
    internal const string ReadsAfterLock = "whose items would be read (";

    private static readonly string[] ChannelReads = ["ReadAsync", "TryRead", "WaitToReadAsync", "ReadAllAsync", "TryPeek"];

    /// <summary>Whether a bounded channel's buffer holds its capacity (a writer waits for room).</summary>
    private static bool IsFull(ClrObject channel) =>
        channel.TryReadField<int>("_bufferedCapacity", out var capacity) && channel.TryReadObjectField("_items", out var items)
        && items is { IsNull: false, IsValid: true } && items.TryReadField<int>("_size", out var count) && count >= capacity;

    /// <summary>Review 66: the words by which a consumer blocked in <c>BlockingCollection.Take</c> on an empty collection names
    /// a thread, blocked on the lock the consumer holds, whose code adds to that collection after the lock.</summary>
    internal const string AddsAfterLock = "to which an item would be added (";

    /// <summary>Review 66: the words by which a wait on a kernel <c>Semaphore</c> names a thread, blocked on the lock the
    /// waiter holds, whose code releases it after that lock.</summary>
    internal const string HandleReleasedAfterLock = "which would be released (";

    /// <summary>Review 66: the words by which a wait on a <c>Mutex</c> names the thread whose code acquired it and has not
    /// released it (the owner, as the code tells it: the dump does not hold a Mutex's owner).</summary>
    internal const string AcquiredMutex = "which was acquired (";

    /// <summary>Doctor67: the wait handles (events, semaphores, mutexes) of the application's <c>WaitHandle[]</c> a
    /// <c>WaitAny</c> or <c>WaitAll</c> waiter's frames root, each once, in the array's order.</summary>
    private static List<ClrObject> WaitHandlesOfArrays(ThreadScan waiter)
    {
        var handles = new List<ClrObject>();
        foreach (var root in waiter.Frames.Take(waiter.WaitFrame + 2).SelectMany(f => f.Roots))
        {
            if (!root.IsValid || root.IsNull || !root.IsArray || root.Type?.ComponentType is not { } component || !WaitRule.DerivesFrom(component, "System.Threading.WaitHandle"))
            {
                continue;
            }

            var array = root.AsArray();
            for (var i = 0; i < Math.Min(array.Length, 64); i++)
            {
                if (array.GetObjectValue(i) is { IsValid: true, IsNull: false } element && !handles.Exists(h => h.Address == element.Address))
                {
                    handles.Add(element);
                }
            }
        }

        return handles;
    }

    /// <summary>Review 66: the <c>SafeWaitHandle</c>s of the wait handles in the arrays a <c>WaitAny</c> or <c>WaitAll</c>
    /// waiter's frames root (the application's <c>WaitHandle[]</c>, and the runtime's rented <c>SafeWaitHandle[]</c>).</summary>
    private static HashSet<ulong> HandlesOfArrays(ThreadScan waiter)
    {
        var handles = new HashSet<ulong>();
        foreach (var root in waiter.Frames.Take(waiter.WaitFrame + 2).SelectMany(f => f.Roots))
        {
            if (!root.IsValid || root.IsNull || !root.IsArray || root.Type?.ComponentType is not { } component
                || !(WaitRule.DerivesFrom(component, "System.Threading.WaitHandle") || component.Name == "Microsoft.Win32.SafeHandles.SafeWaitHandle"))
            {
                continue;
            }

            var array = root.AsArray();
            for (var i = 0; i < Math.Min(array.Length, 64); i++)
            {
                var element = array.GetObjectValue(i);
                if (!element.IsValid || element.IsNull)
                {
                    continue;
                }

                if (element.Type?.Name == "Microsoft.Win32.SafeHandles.SafeWaitHandle")
                {
                    handles.Add(element.Address);
                }
                else if (element.TryReadObjectField("_waitHandle", out var safe) && safe is { IsNull: false, IsValid: true })
                {
                    handles.Add(safe.Address);
                }
            }
        }

        return handles;
    }

    /// <summary>Review 64: the words by which a wait on a <c>ManualResetEventSlim</c> names a thread, joining the waiter or
    /// blocked on its lock, whose code sets that event after the wait.</summary>
    internal const string SetsAfterWait = "which would be set (";

    /// <summary>Review 64: the words by which a producer blocked on a full <c>BlockingCollection</c> names a thread, blocked
    /// on the lock the producer holds, whose code takes from that collection after the lock.</summary>
    internal const string TakesAfterLock = "whose items would be taken (";

    /// <summary>Whether <paramref name="scan"/> waits for <paramref name="waiter"/>: on a lock it holds (without a timeout),
    /// or in <c>Thread.Join</c> on it (as a cycle of joins, whose timeout the frames do not tell: <c>Join()</c> runs
    /// <c>Join(-1)</c>).</summary>
    private static bool IsUntimedWaitFor(ThreadScan scan, ThreadScan waiter) =>
        scan.Owners.Contains(waiter.ManagedId) && (scan.Kind is WaitKind.Monitor or WaitKind.Lock && !WaitRule.IsTimed(scan.Api!) || scan.Kind == WaitKind.ThreadJoin);

    /// <summary>Review 63: the words by which a wait on a <c>TaskCompletionSource</c>'s task names a thread, blocked on the lock
    /// the waiter holds, whose code completes a source of that type after the lock.</summary>
    internal const string CompletesAfterLock = "which would be completed (";

    private const string UncompletedSource = "the task of a TaskCompletionSource that nothing has completed yet";

    private static readonly string[] SourceSetters = ["SetResult", "TrySetResult", "SetException", "TrySetException", "SetCanceled", "TrySetCanceled", "SetFromTask", "TrySetFromTask"];

    /// <summary>The role of a thread whose code arrives at a <c>Barrier</c>, or signals a <c>CountdownEvent</c>, after the
    /// lock it waits for, which the object's waiter holds (review 60).</summary>
    internal const string SignalsAfterLock = "which would be signalled (";

    /// <summary>Whether the outermost <paramref name="method"/> frame of <paramref name="type"/> is an overload with a
    /// timeout: <c>SignalAndWait(Int32)</c>, <c>Wait(TimeSpan, CancellationToken)</c>.</summary>
    private static bool HasTimedWait(ThreadScan scan, string type, string method)
    {
        var outer = Enumerable.Range(0, Math.Min(scan.WaitFrame + 1, scan.Frames.Count)).Reverse().Select(i => scan.Frames[i])
            .FirstOrDefault(f => f.TypeName == type && f.MethodName == method);
        return outer is null || WaitRule.IsTimedTaskWaitSignature(outer.Frame.Method?.Signature);
    }

    /// <summary>Review 71: the threads in an ownerless wait with no timeout on something a signal ends (<c>Monitor.Wait</c>,
    /// <c>ManualResetEventSlim.Wait</c>, an event's <c>WaitOne</c>, a task a <c>TaskCompletionSource</c> completes), with the
    /// objects whose signal would end each: the gate or the event, or the completion sources' tasks its wait needs (not
    /// through a <c>Task.WhenAny</c>, which any other task may end). A kernel event may be named (another process may set
    /// it): none of its objects is given, so it is never proven. Pool threads blocked on tasks are reported already.</summary>
    private static List<(ThreadScan Scan, List<ClrObject> Waited)> OwnerlessCandidates(RuntimeReader reader, List<ThreadScan> scans, Dictionary<int, ThreadScan> byId,
        IEnumerable<DiagnosedThread> blocked)
    {
        var candidates = new List<(ThreadScan, List<ClrObject>)>();
        AsyncThreadHolders? holders = null;
        foreach (var thread in blocked)
        {
            var scan = byId[thread.ManagedThreadId];
            if (scan.Owners.Count > 0 || scan.HolderRoles.Count > 0)
            {
                continue;
            }

            switch (scan)
            {
                case { Kind: WaitKind.MonitorWait, Api: "Monitor.Wait" } when !scan.Target.IsNull:
                    holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                    if (!HasTimedMonitorWait(reader, holders, scan))
                    {
                        candidates.Add((scan, [scan.Target]));
                    }

                    break;
                case { Kind: WaitKind.ManualResetEventSlim, Api: "ManualResetEventSlim.Wait" } when !scan.Target.IsNull && !HasTimedEventWait(scan):
                    candidates.Add((scan, [scan.Target]));
                    break;
                case { Kind: WaitKind.WaitHandle, Api: "WaitHandle.WaitOne", Target.Type.Name: "System.Threading.AutoResetEvent" or "System.Threading.ManualResetEvent" or "System.Threading.EventWaitHandle" }:
                    holders ??= new AsyncThreadHolders(reader.Domain, scans, reader.Lines);
                    if (!HasTimedHandleWait(reader, holders, scan))
                    {
                        candidates.Add((scan, []));
                    }

                    break;
                case { Kind: WaitKind.Task, IsPoolWorker: false, Task: { } task } when !WaitRule.IsTimed(scan.Api!) && scan.AnyTasks.Count == 0:
                    var sources = NeededSources(task).Select(t => reader.Heap.GetObject(t.Address)).Where(o => o.IsValid).ToList();
                    if (sources.Count > 0)
                    {
                        candidates.Add((scan, sources));
                    }

                    break;
            }
        }

        return candidates;
    }

    /// <summary>The completion sources' tasks nothing has completed down a task chain and into what its <c>Task.WhenAll</c>s
    /// join (each is needed), not into a <c>Task.WhenAny</c>.</summary>
    private static IEnumerable<AwaitedTask> NeededSources(AwaitedTask chain)
    {
        for (var task = chain; task is not null; task = task.Awaits)
        {
            if (task.Description.StartsWith("Task.WhenAny", StringComparison.Ordinal))
            {
                yield break;
            }

            if (task.Description.StartsWith(UncompletedSource, StringComparison.Ordinal))
            {
                yield return task;
            }

            foreach (var joined in task.AwaitsAll.SelectMany(NeededSources))
            {
                yield return joined;
            }
        }
    }

    /// <summary>Review 64: whether a <c>ManualResetEventSlim.Wait</c> may give up: its outermost frame takes a timeout
    /// (<c>Wait()</c>, a one-line call of <c>Wait(-1, default)</c>, is often inlined into it) and the application's call
    /// is not to <c>Wait()</c> or <c>Wait(CancellationToken)</c>.</summary>
    private static bool HasTimedEventWait(ThreadScan scan)
    {
        var frames = Enumerable.Range(0, Math.Min(scan.WaitFrame + 1, scan.Frames.Count)).Reverse().Select(i => scan.Frames[i]).ToList();
        var outer = frames.FirstOrDefault(f => f.TypeName == "System.Threading.ManualResetEventSlim" && f.MethodName == "Wait");
        return outer is null || WaitRule.IsTimedTaskWaitSignature(outer.Frame.Method?.Signature);
    }

    /// <summary>Review 65b: whether a <c>WaitHandle.WaitOne</c> may give up. Its outermost <c>WaitOne</c> frame, when the stack
    /// shows one, tells the overload (<c>WaitOne()</c>, or <c>WaitOne(Int32)</c>, <c>WaitOne(TimeSpan)</c>); most often it shows
    /// only <c>WaitOneNoCheck(Int32, ...)</c>, for both, and the application's method that called it tells: it calls only
    /// <c>WaitOne()</c>. A timeout written <c>Timeout.Infinite</c> (or -1) at every call is none. Anything else (a framework
    /// method between, an unreadable body, a variable) is read as a timeout: a miss, never a false alarm.</summary>
    private static bool HasTimedHandleWait(RuntimeReader reader, AsyncThreadHolders holders, ThreadScan scan)
    {
        var frames = Enumerable.Range(0, Math.Min(scan.WaitFrame + 1, scan.Frames.Count)).Reverse().Select(i => scan.Frames[i]).ToList();
        var outer = frames.FirstOrDefault(f => f.TypeName == "System.Threading.WaitHandle" && f.MethodName == "WaitOne");
        if (outer is not null && !WaitRule.IsTimedTaskWaitSignature(outer.Frame.Method?.Signature))
        {
            return false;
        }

        var index = outer is null ? scan.WaitFrame : scan.Frames.IndexOf(outer);
        if (index < 0 || index + 1 >= scan.Frames.Count || scan.Frames[index + 1] is not { IsFramework: false } caller)
        {
            return true;
        }

        return !(outer is null && holders.CallsOnlyWithoutArguments(scan, "WaitHandle", "WaitOne"))
            && !InfiniteTimeoutArgument.Passes(reader.Runtime, caller.Frame, "WaitHandle", "WaitOne");
    }

    /// <summary>Doctor67: whether a <c>Monitor.Wait</c> may give up, read as <see cref="HasTimedHandleWait"/> reads a
    /// <c>WaitOne</c>: its outermost <c>Monitor.Wait</c> frame is <c>Wait(Object)</c>, or the application's method calls
    /// only <c>Monitor.Wait(obj)</c>, or passes <c>Timeout.Infinite</c>. Anything else is read as a timeout.</summary>
    private static bool HasTimedMonitorWait(RuntimeReader reader, AsyncThreadHolders holders, ThreadScan scan)
    {
        var frames = Enumerable.Range(0, Math.Min(scan.WaitFrame + 1, scan.Frames.Count)).Reverse().Select(i => scan.Frames[i]).ToList();
        var outer = frames.FirstOrDefault(f => f.TypeName == "System.Threading.Monitor" && f.MethodName == "Wait");
        if (outer is not null && !WaitRule.IsTimedTaskWaitAllSignature(outer.Frame.Method?.Signature))
        {
            return false;
        }

        var index = outer is null ? scan.WaitFrame : scan.Frames.IndexOf(outer);
        if (index < 0 || index + 1 >= scan.Frames.Count || scan.Frames[index + 1] is not { IsFramework: false } caller)
        {
            return true;
        }

        return !holders.CallsOnlyWith(scan, "Monitor", "Wait", 1)
            && !InfiniteTimeoutArgument.Passes(reader.Runtime, caller.Frame, "Monitor", "Wait");
    }

    /// <summary>Whether the outermost <c>SemaphoreSlim.Wait</c> frame is an overload with a timeout (<c>Wait(Int32[, ...])</c>,
    /// <c>Wait(TimeSpan[, ...])</c>): such a wait gives up.</summary>
    private static bool HasTimedSemaphoreWait(ThreadScan scan)
    {
        var outer = Enumerable.Range(0, Math.Min(scan.WaitFrame + 1, scan.Frames.Count)).Reverse().Select(i => scan.Frames[i])
            .FirstOrDefault(f => f.TypeName == "System.Threading.SemaphoreSlim" && f.MethodName == "Wait");
        return outer is null || WaitRule.IsTimedTaskWaitSignature(outer.Frame.Method?.Signature);
    }

    private static ThreadPoolSnapshot? PoolSnapshot(RuntimeReader reader, List<DiagnosedThread> threads, List<string>? queued)
    {
        var workers = threads.Where(t => t.IsThreadPoolWorker).ToList();
        if (workers.Count == 0 && queued is null)
        {
            return null;
        }

        var idle = workers.Count(w => w.IsIdle);
        var blocked = workers.Where(w => !w.IsIdle && w.Wait is not null).ToList();
        var examples = (queued ?? []).GroupBy(q => q, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(5).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}").ToList();
        int min = 0, max = 0;
        try
        {
            if (reader.Runtime.ThreadPool is { } pool)
            {
                min = pool.MinThreads;
                max = pool.MaxThreads;
            }
        }
        catch (InvalidOperationException)
        {
            // Limits unknown: reported as 0.
        }

        var contending = Contending(threads, blocked);
        return new ThreadPoolSnapshot(workers.Count, idle, workers.Count - idle - blocked.Count, blocked.Count, blocked.Count(b => b.Wait!.Kind == WaitKind.Task),
            queued?.Count ?? 0, examples, min, max, contending);
    }

    /// <summary>How many of the <paramref name="blocked"/> pool workers wait for a lock whose holders all run: contention in
    /// a busy program, not starvation (review 43: a Parallel.For whose bodies take a hot lock, caught with all four workers
    /// queued on it, was called starved; review 46: workers spinning for a <c>SpinLock</c> whose holder runs).</summary>
    internal static int Contending(IReadOnlyList<DiagnosedThread> threads, IEnumerable<DiagnosedThread> blocked)
    {
        var byId = threads.GroupBy(t => t.ManagedThreadId).ToDictionary(g => g.Key, g => g.First());
        return blocked.Count(b => b.Wait is { Kind: WaitKind.Monitor or WaitKind.Lock or WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead or WaitKind.ReaderWriterLockUpgrade or WaitKind.SpinLock, Owners.Count: > 0 } w
            && w.Owners.All(o => byId.TryGetValue(o, out var holder) && !holder.IsIdle && holder.Wait is null));
    }
}
