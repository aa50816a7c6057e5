using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Reads threads, their stacks and stack roots, and the state of the locks they wait on from a runtime in a dump
/// (ClrMD). Everything version-specific about the base class library's internals (field names) lives here and in
/// <see cref="TaskReader"/>; a field that is not found makes an answer unknown, never an exception.
/// </summary>
internal sealed class RuntimeReader : IDisposable
{
    /// <summary>The modules' metadata, read once each (review 72: the generic parameters' names of shared code's types).</summary>
    private readonly Dictionary<ClrModule, System.Reflection.Metadata.MetadataReader?> _metadata = [];

    // The object header word (the 4 bytes before the method table pointer): a thin lock keeps its owner's managed thread
    // id in the low 10 bits unless the word holds a hash code or a sync block index.
    private const uint HeaderIsHashOrSyncBlock = 0x08000000;
    private const uint ThinLockThreadIdMask = 0x3FF;

    private readonly ClrRuntime _runtime;
    private readonly DoctorOptions _options;
    private readonly SourceLines? _lines;
    private readonly Dictionary<ulong, ClrThread> _byAddress = [];
    private readonly Dictionary<uint, ClrThread> _byOsId = [];
    private readonly Dictionary<int, ClrThread> _byManagedId = [];
    private HolderFinder? _holders;
    private ClrThreadStaticField? _currentThreadField;
    private ClrThreadStaticField? _currentTaskField;
    private Dictionary<int, string>? _handleNames;

    // Threads whose stack was cut at MaxFramesPerThread or could not be read: their outer frames are unknown.
    private readonly HashSet<int> _partialStacks = [];

    public RuntimeReader(ClrRuntime runtime, DoctorOptions options)
    {
        _runtime = runtime;
        _options = options;
        _lines = options.ReadSourceLines ? new SourceLines() : null;
        foreach (var thread in runtime.Threads)
        {
            if (!thread.IsAlive)
            {
                continue;
            }

            _byAddress[thread.Address] = thread;
            _byOsId[thread.OSThreadId] = thread;
            _byManagedId[thread.ManagedThreadId] = thread;
        }

        CoreLib = runtime.EnumerateModules().FirstOrDefault(m => m.Name?.EndsWith("System.Private.CoreLib.dll", StringComparison.OrdinalIgnoreCase) == true);
    }

    public ClrRuntime Runtime => _runtime;

    public ClrHeap Heap => _runtime.Heap;

    /// <summary>Gets the source line reader, or null when <see cref="DoctorOptions.ReadSourceLines"/> is off.</summary>
    public SourceLines? Lines => _lines;

    public ClrModule? CoreLib { get; }

    public ClrAppDomain? Domain => _runtime.AppDomains.FirstOrDefault() ?? _runtime.SystemDomain;

    public void Dispose() => _lines?.Dispose();

    /// <summary>Reads every live managed thread: frames (with source lines), roots per frame, pool membership.</summary>
    public List<ThreadScan> ReadThreads()
    {
        var scans = new List<ThreadScan>();
        foreach (var thread in _runtime.Threads)
        {
            if (!thread.IsAlive || thread.OSThreadId == 0)
            {
                continue;
            }

            var scan = new ThreadScan(thread);
            var bySp = new Dictionary<(ulong, ulong), FrameScan>();
            var truncated = false;
            var walked = 0;
            foreach (var frame in Walk(thread))
            {
                // The walk stops at StackWalkLimit frames (managed and the runtime's own): a stack that long may go on.
                if (++walked >= StackWalkLimit(_options) && !truncated)
                {
                    _partialStacks.Add(thread.ManagedThreadId);
                    truncated = true;
                }

                if (frame.Kind != ClrStackFrameKind.ManagedMethod || frame.Method is null)
                {
                    continue;
                }

                if (scan.Frames.Count >= _options.MaxFramesPerThread)
                {
                    // The outer frames are not kept: a static constructor among them is not seen.
                    _partialStacks.Add(thread.ManagedThreadId);
                    truncated = true;
                    break;
                }

                var type = frame.Method.Type?.Name ?? "?";
                var method = frame.Method.Name ?? "?";
                var isFramework = WaitRule.IsFrameworkType(type, frame.Method.Type?.Module?.Name);
                var source = isFramework ? null : _lines?.Find(frame, scan.Frames.Count == 0);
                // Review 72: shown as the source names it (Shop.Repo<T>.Save, not Shop.Repo<System.__Canon>.Save); matched by the runtime's name.
                var display = new DiagnosedFrame($"{SourceNames.Of(frame.Method.Type, _metadata)}.{method}", source?.File, source?.Line, isFramework);
                var frameScan = new FrameScan(frame, type, method, isFramework, display);
                scan.Frames.Add(frameScan);
                bySp.TryAdd((frame.StackPointer, frame.InstructionPointer), frameScan);
            }

            // The GC's walk gives the roots from the top of the stack down. Past the last frame kept none is used, and ClrMD
            // finds each root's frame by a linear search of the whole stack (O(frames x roots)): a dozen pool threads each
            // blocked at the bottom of a few thousand frames of recursion (a GetOrAdd factory waiting on Task.Run of the
            // same key, inlined) took 262 s to analyse (review 58). The roots are left once they are below the kept frames.
            var lowest = truncated && scan.Frames.Count > 0 ? scan.Frames[^1].Frame.StackPointer : ulong.MaxValue;
            foreach (var root in thread.EnumerateStackRoots())
            {
                if (root.StackFrame is { StackPointer: > 0 } below && below.StackPointer > lowest)
                {
                    break;
                }

                if (root.StackFrame is { } frame && root.Object.IsValid && !root.Object.IsNull
                    && bySp.TryGetValue((frame.StackPointer, frame.InstructionPointer), out var frameScan))
                {
                    if (root.IsInterior)
                    {
                        if (!frameScan.Roots.Exists(r => r.Address == root.Object.Address))
                        {
                            frameScan.InteriorOnly.Add(root.Object.Address);
                        }
                    }
                    else
                    {
                        frameScan.InteriorOnly.Remove(root.Object.Address);
                    }

                    frameScan.Roots.Add(root.Object);
                }
            }

            scan.Name = ThreadName(scan);

            // Review 59: a worker blocked under more frames than are kept (recursion in a GetOrAdd or Lazy factory) has its
            // pool's frame among the ones not read: it counted as no worker ("0 workers") though the pool was all of them.
            scan.IsPoolWorker = scan.Frames.Exists(f => f.TypeName == "System.Threading.PortableThreadPool+WorkerThread") || IsUnwalkableWorker(scan)
                || (truncated && scan.Name == PoolWorkerName);
            scans.Add(scan);
        }

        return scans;
    }

    /// <summary>
    /// Review 60: how many frames ClrMD walks per thread (<c>DataTargetLimits.MaxStackFrames</c>, 8,096 by default): the
    /// frames kept and room for the runtime's own frames among them. Every <c>EnumerateStackRoots</c> first walks the
    /// thread's whole stack up to that limit (to match each root to its frame), though the roots below the frames kept are
    /// never read: a thread blocked 3,000 frames deep was walked 3,000 frames for 200 kept.
    /// </summary>
    public static int StackWalkLimit(DoctorOptions options) => options.MaxFramesPerThread + 64;

    /// <summary>The name the runtime gives its thread-pool workers.</summary>
    private const string PoolWorkerName = ".NET TP Worker";

    /// <summary>
    /// Review 47: a pool worker whose stack shows no managed frame at all. A worker starts in managed code and waits, when
    /// idle, in managed frames; none readable means it was caught running native code the dump cannot unwind out of (a
    /// call that suppresses the GC transition leaves no transition frame: <c>Stopwatch.GetTimestamp</c>'s clock read in a
    /// busy-wait). Such a worker runs; it was taken for an idle thread that is no pool worker, so a <c>SpinLock</c> it held
    /// had no holder the report could name, and the workers spinning for it counted as starving the pool.
    /// </summary>
    private static bool IsUnwalkableWorker(ThreadScan scan) => scan.Frames.Count == 0 && scan.Name == PoolWorkerName;

    /// <summary>The thread's frames, innermost first; a walk that fails ends the list and marks the stack partial.</summary>
    private IEnumerable<ClrStackFrame> Walk(ClrThread thread)
    {
        using var frames = thread.EnumerateStackTrace(includeContext: false).GetEnumerator();
        while (true)
        {
            try
            {
                if (!frames.MoveNext())
                {
                    yield break;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or IndexOutOfRangeException)
            {
                // An unreadable stack: what the thread runs beyond this point is unknown (see ResolveTypeInitializerOwner).
                _partialStacks.Add(thread.ManagedThreadId);
                yield break;
            }

            yield return frames.Current;
        }
    }

    /// <summary>Gets the threads whose waits were resolved (their frames and roots), empty before.</summary>
    public IReadOnlyList<ThreadScan> Threads { get; private set; } = [];

    /// <summary>Finds what each thread blocks on: the API, the object, and the threads that own it.</summary>
    public void ResolveWaits(List<ThreadScan> threads)
    {
        Threads = threads;
        foreach (var scan in threads)
        {
            Classify(scan);
            CollectRunningTasks(scan);
            AddCurrentTask(scan);
        }

        foreach (var scan in threads.Where(t => t.Kind is not null && !t.Target.IsNull))
        {
            ResolveOwners(scan);
        }

        foreach (var scan in threads.Where(t => t.Kind == WaitKind.TypeInitializer))
        {
            ResolveTypeInitializerOwner(scan, threads);
        }

        foreach (var scan in threads.Where(t => t.Kind == WaitKind.PendingFinalizers))
        {
            ResolveFinalizerOwner(scan, threads);
        }

        NameBlockingCollectionPeers(threads);
        NameTimerCallbackOwners(threads);
        NameBarrierPostPhaseOwners(threads);

        // A reader of a ReaderWriterLockSlim that waits with no writer inside waits behind a waiting writer (writers go first).
        foreach (var reader in threads.Where(t => t.Kind == WaitKind.ReaderWriterLockRead && t.Owners.Count == 0))
        {
            foreach (var writer in threads.Where(w => w != reader && w.Kind is WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockUpgrade && w.Target.Address == reader.Target.Address))
            {
                // Review 52: the writer does not hold the lock, it waits for it; the reader read "held by" it.
                reader.Owners.Add(writer.ManagedId);
                reader.HolderRoles[writer.ManagedId] = QueuedBehindWriter;
            }
        }
    }

    /// <summary>The role of a thread waiting to write (or upgrade) that a reader waits behind: new readers wait while a writer
    /// waits, so the writer does not hold the lock, it goes first (review 52: the reader read "held by" it).</summary>
    public const string QueuedBehindWriter = "queued behind the waiting writer";

    /// <summary>Says what in the program refers to <paramref name="target"/> (see <see cref="HolderFinder"/>).</summary>
    public string? FindHolder(ClrObject target, IEnumerable<ThreadScan> near) => (_holders ??= new HolderFinder(_runtime, Domain)).Find(target, near);

    /// <summary>Gets whether the thread's stack was cut at <see cref="DoctorOptions.MaxFramesPerThread"/> or could not be read to its end.</summary>
    public bool IsPartial(int managedId) => _partialStacks.Contains(managedId);

    /// <summary>Gets the managed id of a live thread from its OS id, or null.</summary>
    public int? ManagedIdOfOsThread(uint osId) => _byOsId.TryGetValue(osId, out var t) ? t.ManagedThreadId : null;

    private void Classify(ThreadScan scan)
    {
        var frames = scan.Frames;
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (!frame.IsFramework)
            {
                break;
            }

            if (WaitRule.Match(frame.TypeName, frame.MethodName) is { } match
                && (scan.Kind is null || match.Kind != WaitKind.IO || scan.Kind == WaitKind.IO || WaitRule.IsNamedPipeConnect(match.Api))

                // InitClassSlow below a (framework type's) .cctor frame runs that static constructor: it waits for nothing.
                && (match.Kind != WaitKind.TypeInitializer || !frames.Take(i).Any(f => f.MethodName == ".cctor")))
            {
                scan.Kind = match.Kind;
                scan.Api = match.Api;
                scan.WaitFrame = i;
            }
        }

        // A pool worker between work items, or a runtime thread (finalizer, timers, sockets, the pool's gate) waiting for its next job.
        var runsUserCode = frames.Exists(f => !f.IsFramework);
        if (IsUnwalkableWorker(scan))
        {
            // Running native code: not idle, and waiting for nothing the dump can show.
            return;
        }

        if (!runsUserCode && (frames.Count == 0 || !frames.Exists(f => f.MethodName == "Dispatch" && f.TypeName == "System.Threading.ThreadPoolWorkQueue")))
        {
            scan.IsIdle = true;
            if (scan.Kind is not WaitKind.Monitor and not WaitKind.Lock)
            {
                scan.Kind = null;
                scan.Api = null;
                scan.WaitFrame = -1;
                return;
            }
        }

        if (scan.Kind is not { } kind)
        {
            return;
        }

        // Task.Wait(timeout) gives up; the outermost Task.Wait frame's signature tells which overload the caller used
        // (Wait() calls Wait(-1, default): an inner Wait(Int32, ...) frame says nothing about the caller's).
        if (scan.Api == "Task.Wait()")
        {
            var outer = Enumerable.Range(0, scan.WaitFrame + 1).Reverse()
                .Select(i => frames[i]).FirstOrDefault(f => f.TypeName == "System.Threading.Tasks.Task" && f.MethodName == "Wait");
            if (outer is not null && WaitRule.IsTimedTaskWaitSignature(outer.Frame.Method?.Signature) && !CallerPassesInfinite(scan, frames.IndexOf(outer), "Wait"))
            {
                scan.Api = WaitRule.TimedTaskWait;
            }
        }
        else if (scan.Api == "Task.WaitAll")
        {
            var outer = frames[scan.WaitFrame];
            if (outer.MethodName == "WaitAll" && WaitRule.IsTimedTaskWaitAllSignature(outer.Frame.Method?.Signature) && !CallerPassesInfinite(scan, scan.WaitFrame, "WaitAll"))
            {
                scan.Api = WaitRule.TimedTaskWaitAll;
            }

            CollectWaitAllTasks(scan);
        }
        else if (WaitRule.IsLegacyReaderWriterLock(scan.Api))
        {
            // Doctor67: every Acquire*Lock takes a timeout; only Timeout.Infinite (or -1) written at the call waits for ever.
            var method = scan.Api![(scan.Api!.IndexOf('.', StringComparison.Ordinal) + 1)..];
            if (!CallerPassesInfinite(scan, scan.WaitFrame, "ReaderWriterLock", method))
            {
                scan.Api = WaitRule.TimedLegacyReaderWriterLock;
            }
        }
        else if (scan.Api == "Task.WaitAny")
        {
            // Doctor67: WaitAny(tasks) (no timeout) under a lock all of its tasks' code takes read "No pitfall found", the
            // wait "for task of type CompleteOnInvokePromise" (the promise WaitAny blocks on) and "no thread runs its code".
            var outer = Enumerable.Range(0, scan.WaitFrame + 1).Reverse().Select(i => frames[i])
                .FirstOrDefault(f => f.TypeName == "System.Threading.Tasks.Task" && f.MethodName == "WaitAny");
            if (outer is null || !WaitRule.IsTimedTaskWaitAllSignature(outer.Frame.Method?.Signature) || CallerPassesInfinite(scan, frames.IndexOf(outer), "WaitAny"))
            {
                CollectTasks(scan, scan.AnyTasks);
                if (scan.AnyTasks.Count > 0)
                {
                    scan.Target = scan.AnyTasks[0];
                }
            }
        }
        else if (scan.Api == "Thread.Sleep" && scan.WaitFrame + 1 < frames.Count && frames[scan.WaitFrame + 1] is { IsFramework: false } sleeper
            && InfiniteTimeoutArgument.PassesAtFrame(_runtime, sleeper.Frame, "Thread", "Sleep"))
        {
            // Thread.Sleep(Timeout.Infinite) (a service's Main parked for ever) never wakes: it is no thread that may still
            // release what the stuck flows wait for. Review 72: read at the call the frame is in (as OwnerlessHangs does), so a
            // Main that also sleeps 300 ms elsewhere is named as parked for ever in "Other blocked threads" too.
            scan.Api = WaitRule.SleepForever;
        }
        else if (WaitRule.TimeoutUnknown(scan.Api!) && scan.Api!.Split('.')[0] is var type && type is "Monitor" or "Lock"
            && scan.WaitFrame + 1 < frames.Count && frames[scan.WaitFrame + 1] is { IsFramework: false } caller
            && InfiniteTimeoutArgument.FiniteAtFrame(_runtime, caller.Frame, type, "TryEnter") is { } finite)
        {
            // Review 72: Monitor.TryEnter(other, 20) passes its timeout to native code, but the caller's IL has it: a wait
            // that gives up after 20 ms is no edge of a deadlock (a cycle of such waits is threads retrying: a livelock).
            scan.Detail = WaitRule.FiniteTryEnterDetail(finite);
        }

        // Review 55: a Socket.Receive said only "waits in Socket.Receive"; whether it can end by itself is its receive timeout.
        if (kind == WaitKind.IO && scan.Api == "Socket.Receive" && ReceiveTimeoutOf(frames) is { } timeout)
        {
            scan.Detail = timeout > 0 ? $"its ReceiveTimeout {timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)} ms (then it throws SocketException)" : NoReceiveTimeout;
        }

        // Review 46: on Unix a pipe's write is a Socket.Send on the pipe's descriptor; a pipe that is a child's
        // redirected standard input is named so, with the child (it showed as Socket.Send alone).
        if (kind == WaitKind.IO && scan.Api is "Socket.Send" or "I/O (Write)" && ChildWrittenTo(frames) is { } child)
        {
            scan.Api = WaitRule.ChildStandardInputWrite;
            // "process 4242 (cat)", then what DescribeProcess adds (a redirected output nothing has read: why the child stopped reading).
            var split = child.IndexOf("; ", StringComparison.Ordinal);
            scan.Detail = split < 0
                ? $"{child}, a full pipe: the child is not reading it; it ends when the child reads (a child blocked writing an output this process does not read never will)"
                : $"{child[..split]}, a full pipe: the child is not reading it{child[split..]}";
        }

        // A Barrier or CountdownEvent waits on its own ManualResetEventSlim: show the object the program called.
        var outerType = scan.Api!.StartsWith("Barrier.", StringComparison.Ordinal) ? "System.Threading.Barrier"
            : scan.Api.StartsWith("CountdownEvent.", StringComparison.Ordinal) ? "System.Threading.CountdownEvent"
            : scan.Api == WaitRule.ProcessWaitForExit ? "System.Diagnostics.Process" : null;
        if (outerType is not null)
        {
            scan.Target = frames.Take(scan.WaitFrame + 1).SelectMany(f => f.Roots).FirstOrDefault(r => r.Type?.Name == outerType);
        }
        else if (WaitRule.IsBlockingAdd(scan.Api) || WaitRule.IsBlockingTake(scan.Api))
        {
            // The collection itself (its Add or TryTake frame's `this`, or the consuming iterator's <>4__this), not the
            // semaphore it waits on inside.
            scan.Target = frames.Take(scan.WaitFrame + 1).SelectMany(f => f.Roots).Select(BlockingCollectionOf).FirstOrDefault(c => !c.IsNull);
        }

        // The waited object is rooted by the blocking API's own frames; look from the outermost one inwards.
        for (var i = scan.WaitFrame; i >= 0 && scan.Target.IsNull; i--)
        {
            foreach (var root in frames[i].Roots)
            {
                // Review 50: a lock is passed by value; an object rooted only through a ref to its field is the lockTaken
                // flag's home (an async method's state machine in a Debug build), not the lock (it was named as the lock,
                // which then had no holder: "caught between two holders", and the deadlock through it went unseen).
                if (kind is WaitKind.Monitor or WaitKind.MonitorWait && frames[i].InteriorOnly.Contains(root.Address))
                {
                    continue;
                }

                if (root.Type is { } type && WaitRule.IsTarget(kind, type))
                {
                    scan.Target = root;
                    break;
                }
            }
        }

        // Review 45: a SpinLock's frames root it as an interior pointer, which may not be reported: the caller's roots
        // then hold the object whose field it is (stock.Gate.Enter(ref taken) roots `stock` until the call).
        if (kind == WaitKind.SpinLock && scan.Target.IsNull && scan.WaitFrame + 1 < frames.Count)
        {
            var candidates = frames[scan.WaitFrame + 1].Roots.Where(r => r.Type is { } t && WaitRule.IsTarget(kind, t)).DistinctBy(r => r.Address).ToList();
            if (candidates.Count == 1)
            {
                scan.Target = candidates[0];
            }
        }

        // Review 44: a CountdownEvent or Barrier the blocking frames do not root (the JIT let its `this` go): the caller's
        // roots, or a field of one (a closure's captured variable), hold the one whose event this is.
        if (outerType is "System.Threading.CountdownEvent" or "System.Threading.Barrier" && scan.Target.Type?.Name == "System.Threading.ManualResetEventSlim"
            && scan.WaitFrame + 1 < frames.Count)
        {
            var ev = scan.Target.Address;
            var near = frames[scan.WaitFrame + 1].Roots.SelectMany(r => r.Type?.Fields.Where(f => f.IsObjectReference).Select(f => f.ReadObject(r.Address, interior: false)).Prepend(r) ?? [r]);
            var owner = near.FirstOrDefault(o => o.IsValid && !o.IsNull && o.Type?.Name == outerType
                && EventFields.Any(f => o.TryReadObjectField(f, out var e) && e.Address == ev));
            if (!owner.IsNull)
            {
                scan.Target = owner;
            }
        }
    }

    /// <summary>The fields of a <c>CountdownEvent</c> (<c>_event</c>) and a <c>Barrier</c> (<c>_oddEvent</c>, <c>_evenEvent</c>)
    /// holding the <c>ManualResetEventSlim</c> their waits block on.</summary>
    private static readonly string[] EventFields = ["_event", "_oddEvent", "_evenEvent"];

    /// <summary>Whether the application frame just outside <paramref name="outer"/> (a <c>Task.Wait</c> or <c>Task.WaitAll</c>
    /// overload with a timeout) passes <c>Timeout.Infinite</c> or <c>Timeout.InfiniteTimeSpan</c> (review 28, W1): such a
    /// wait never gives up and is the same as the overload without a timeout.</summary>
    private bool CallerPassesInfinite(ThreadScan scan, int outer, string method) => CallerPassesInfinite(scan, outer, "Task", method);

    private bool CallerPassesInfinite(ThreadScan scan, int outer, string type, string method) =>
        outer >= 0 && outer + 1 < scan.Frames.Count && scan.Frames[outer + 1] is { IsFramework: false } caller
        && InfiniteTimeoutArgument.Passes(_runtime, caller.Frame, type, method);

    /// <summary>Review 55: said of a <c>Socket.Receive</c> on a socket whose receive timeout is not set.</summary>
    internal const string NoReceiveTimeout = "no ReceiveTimeout";

    /// <summary>The receive timeout (ms, 0 or less: none) of the socket a thread's frames root, as the runtime keeps it on Unix
    /// (<c>SafeSocketHandle._receiveTimeout</c>); null when no frame roots exactly one socket or the field is not there.</summary>
    private static int? ReceiveTimeoutOf(List<FrameScan> frames)
    {
        var sockets = frames.SelectMany(f => f.Roots).Where(r => r.IsValid && !r.IsNull && r.Type?.Name == "System.Net.Sockets.Socket").DistinctBy(r => r.Address).ToList();
        if (sockets.Count != 1 || !sockets[0].TryReadObjectField("_handle", out var handle) || handle is not { IsNull: false, IsValid: true })
        {
            return null;
        }

        return handle.TryReadField<int>("_receiveTimeout", out var timeout) || handle.TryReadField<int>("<ReceiveTimeout>k__BackingField", out timeout) ? timeout : null;
    }

    /// <summary>The child process whose redirected standard input the thread writes to: the pipe stream its frames root,
    /// and the <c>Process</c> whose <c>StandardInput</c> writes to that stream (rooted by the thread's frames, a field of one
    /// of their objects, or else found on the heap).</summary>
    private string? ChildWrittenTo(List<FrameScan> frames)
    {
        var roots = frames.SelectMany(f => f.Roots).Where(r => r.IsValid && !r.IsNull).DistinctBy(r => r.Address).ToList();
        var pipes = roots.Where(r => r.Type is { } t && WaitRule.DerivesFrom(t, "System.IO.Pipes.PipeStream")).Select(r => r.Address).ToHashSet();
        if (pipes.Count == 0)
        {
            return null;
        }

        bool WritesTo(ClrObject process) => process.Type?.Name == "System.Diagnostics.Process"
            && process.TryReadObjectField("_standardInput", out var writer) && !writer.IsNull
            && writer.TryReadObjectField("_stream", out var stream) && pipes.Contains(stream.Address);

        var near = roots.SelectMany(r => (r.Type?.Fields.Where(f => f.IsObjectReference).Select(f => f.ReadObject(r.Address, interior: false)) ?? []).Prepend(r));
        var process = near.FirstOrDefault(o => o.IsValid && !o.IsNull && WritesTo(o));
        if (process.IsNull)
        {
            process = Heap.EnumerateObjects().FirstOrDefault(o => o.IsValid && WritesTo(o));
        }

        return process.IsNull ? null : DescribeProcess(process, inputNote: false) is { } described ? $"the standard input of {described}" : null;
    }

    /// <summary>A <c>Process</c> waited for: its id and what it runs (<c>process 4242 (sleep 100000)</c>), as the
    /// <c>Process</c> object has them (a started child always has its id; the start info only when it was started here).</summary>
    private static string? DescribeProcess(ClrObject process, bool inputNote = true)
    {
        if (process.IsNull || process.Type?.Name != "System.Diagnostics.Process")
        {
            return null;
        }

        var id = process.TryReadField<bool>("_haveProcessId", out var haveId) && haveId && process.TryReadField<int>("_processId", out var pid) ? pid : (int?)null;
        string? command = null;
        if (process.TryReadObjectField("_startInfo", out var info) && !info.IsNull
            && info.TryReadStringField("_fileName", null, out var file) && !string.IsNullOrEmpty(file))
        {
            command = info.TryReadStringField("_arguments", null, out var arguments) && !string.IsNullOrEmpty(arguments) ? $"{file} {arguments}"
                : ArgumentList(info) is { Length: > 0 } list ? $"{file} {list}"
                : file;
        }

        var described = (id, command) switch
        {
            ({ } p, { } c) => $"process {p} ({c})",
            ({ } p, null) => $"process {p}",
            (null, { } c) => $"process {c}",
            _ => null,
        };

        // Review 44: a redirected output nobody ever read (neither StandardOutput/StandardError nor Begin...ReadLine: the
        // read mode is still Undefined) fills its pipe, and a child blocked writing to it never exits.
        var unread = new[] { ("_standardOutput", "_outputStreamReadMode", "output"), ("_standardError", "_errorStreamReadMode", "error") }
            .Where(s => process.TryReadObjectField(s.Item1, out var reader) && !reader.IsNull && process.TryReadField<int>(s.Item2, out var mode) && mode == 0)
            .Select(s => s.Item3).ToList();
        if (described is not null && unread.Count > 0)
        {
            described = $"{described}; its standard {string.Join(" and standard ", unread)} {(unread.Count == 1 ? "is" : "are")} redirected and nothing has read {(unread.Count == 1 ? "it" : "them")} (neither StandardOutput/StandardError nor BeginOutputReadLine/BeginErrorReadLine was used): a child that fills the pipe blocks writing and never exits; read it before or while waiting";
        }

        // Review 46: a redirected standard input never closed: a child that reads its input to the end (sort, cat, a filter)
        // waits for more and never exits.
        if (inputNote && described is not null && process.TryReadObjectField("_standardInput", out var input) && input is { IsNull: false, IsValid: true }
            && input.TryReadField<bool>("_disposed", out var closed) && !closed)
        {
            described = $"{described}; its standard input is redirected and still open (StandardInput never closed): a child that reads its input to the end (sort, cat, a filter) waits for more and never exits; close StandardInput when done writing";
        }

        return described;
    }

    /// <summary>Review 45: the arguments of a <c>ProcessStartInfo</c> given as a list (<c>ArgumentList</c>, or the
    /// <c>new ProcessStartInfo(file, IEnumerable&lt;string&gt;)</c> constructor), a <c>Collection&lt;string&gt;</c> in
    /// <c>_argumentList</c>, each quoted when it holds a space or a quote, as a shell would need it. Before, only
    /// <c>_arguments</c> (the string form) was read and such a child showed only its file name.</summary>
    private static string? ArgumentList(ClrObject info)
    {
        if (!info.TryReadObjectField("_argumentList", out var collection) || collection.IsNull || !collection.IsValid)
        {
            return null;
        }

        // Collection<string> wraps an IList<string> (a List<string>: _items, _size).
        var list = collection.TryReadObjectField("items", out var inner) && !inner.IsNull ? inner : collection;
        if (!list.TryReadObjectField("_items", out var items) || items.IsNull || !list.TryReadField<int>("_size", out var size) || items.Type is not { IsArray: true })
        {
            return null;
        }

        var array = items.AsArray();
        var words = new List<string>();
        for (var i = 0; i < Math.Min(size, Math.Min(array.Length, 64)); i++)
        {
            var word = array.GetObjectValue(i).AsString(200) ?? "";
            words.Add(word.Length == 0 || word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? $"\"{word.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : word);
        }

        return string.Join(' ', words);
    }

    /// <summary>
    /// <c>Task.WaitAll</c> over several unfinished tasks waits on a countdown event, not on a task: the tasks are in the
    /// <c>List&lt;Task&gt;</c> (or the <c>Task[]</c>) its frames root. It needs every one of them, so each thread running
    /// one is an owner. (Not <c>WaitAny</c>: any one of its tasks would end it.)
    /// </summary>
    private static void CollectWaitAllTasks(ThreadScan scan)
    {
        var seen = CollectTasks(scan, scan.AllTasks);
        if (scan.AllTasks.Count > 0)
        {
            // The task the frames root first may be none of them (a promise of the single-task path); show one it waits for.
            if (!scan.Target.IsNull && !TaskReader.IsCompleted(scan.Target) && seen.Add(scan.Target.Address))
            {
                scan.AllTasks.Add(scan.Target);
            }

            scan.Target = scan.AllTasks[0];
        }
    }

    /// <summary>The unfinished tasks in the <c>Task[]</c> or <c>List&lt;Task&gt;</c> the frames of a wait on several tasks
    /// root, into <paramref name="found"/>; returns the addresses seen.</summary>
    private static HashSet<ulong> CollectTasks(ThreadScan scan, List<ClrObject> found)
    {
        var seen = new HashSet<ulong>();
        for (var i = scan.WaitFrame; i >= 0; i--)
        {
            foreach (var root in scan.Frames[i].Roots)
            {
                var array = root;
                var count = int.MaxValue;
                if (root.Type?.Name?.StartsWith("System.Collections.Generic.List<", StringComparison.Ordinal) == true
                    && root.TryReadObjectField("_items", out var items) && root.TryReadField<int>("_size", out var size))
                {
                    array = items;
                    count = size;
                }

                if (array.IsNull || !array.IsValid || array.Type is not { IsArray: true } arrayType
                    || !WaitRule.DerivesFrom(arrayType.ComponentType, "System.Threading.Tasks.Task"))
                {
                    continue;
                }

                var elements = array.AsArray();
                for (var j = 0; j < Math.Min(count, elements.Length); j++)
                {
                    if (elements.GetObjectValue(j) is { IsNull: false, IsValid: true } task && !TaskReader.IsCompleted(task) && seen.Add(task.Address))
                    {
                        found.Add(task);
                    }
                }
            }
        }

        return seen;
    }

    private static void CollectRunningTasks(ThreadScan scan)
    {
        for (var i = scan.WaitFrame + 1; i < scan.Frames.Count; i++)
        {
            var frame = scan.Frames[i];
            var executes = (frame.TypeName == "System.Threading.Tasks.Task" && frame.MethodName is "ExecuteWithThreadLocal" or "ExecuteEntryUnsafe" or "ExecuteFromThreadPool" or "InnerInvoke")
                || frame.TypeName.Contains("AsyncStateMachineBox<", StringComparison.Ordinal)
                || (frame.MethodName == "MoveNext" && AsyncStateMachines.IsStateMachine(frame.TypeName));
            if (!executes)
            {
                continue;
            }

            foreach (var root in frame.Roots)
            {
                if (root.Type is { } type && WaitRule.DerivesFrom(type, "System.Threading.Tasks.Task") && root.Address != scan.Target.Address)
                {
                    scan.RunningTasks.Add(root.Address);
                }
            }
        }
    }

    /// <summary>
    /// Review 59: the task the thread executes now (<c>Task.t_currentTask</c>, set while a task's delegate or an async
    /// method's step runs on it). <see cref="CollectRunningTasks"/> finds it from the frames that execute it, at the bottom of
    /// a pool thread's stack; under more frames than are kept (a factory recursing a few hundred frames deep before it
    /// blocks) those are not read, and the task the next thread waited for read "no thread runs its code now".
    /// </summary>
    private void AddCurrentTask(ThreadScan scan)
    {
        _currentTaskField ??= CoreLib?.GetTypeByName("System.Threading.Tasks.Task")?.ThreadStaticFields.FirstOrDefault(f => f.Name == "t_currentTask");
        if (_currentTaskField is null)
        {
            return;
        }

        try
        {
            var task = _currentTaskField.ReadObject(scan.Thread);
            if (task is { IsValid: true, IsNull: false } && task.Address != scan.Target.Address && !TaskReader.IsCompleted(task))
            {
                scan.RunningTasks.Add(task.Address);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            // No thread-static storage readable for this thread: its frames alone say what it runs.
        }
    }

    private void ResolveOwners(ThreadScan scan)
    {
        var target = scan.Target;
        switch (scan.Kind)
        {
            case WaitKind.Monitor:
                if (MonitorOwner(target) is { } owner && owner != scan.ManagedId)
                {
                    scan.Owners.Add(owner);
                }

                break;
            case WaitKind.Lock:
                if (target.TryReadField<uint>("_owningThreadId", out var osOwner) && osOwner != 0 && ManagedIdOfOsThread(osOwner) is { } lockOwner && lockOwner != scan.ManagedId)
                {
                    scan.Owners.Add(lockOwner);
                }

                break;
            case WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead or WaitKind.ReaderWriterLockUpgrade:
                ResolveReaderWriterOwners(scan);
                break;
            case WaitKind.ThreadJoin:
                if (target.TryReadField<int>("_managedThreadId", out var joined) && joined != scan.ManagedId && _byManagedId.ContainsKey(joined))
                {
                    scan.Owners.Add(joined);
                }
                else if (joined == scan.ManagedId)
                {
                    // Review 45: a thread joining itself (a Stop() that joins its worker, called on the worker) waits for
                    // its own end: a cycle of one. Before, it had "no owner to blame: any thread may release it".
                    scan.Owners.Add(joined);
                    scan.Detail = "its own thread: a thread cannot end while it waits for its own end";
                }

                break;
            case WaitKind.CancellationCallback:
                ResolveCancellationCallbackOwner(scan);
                break;
            case WaitKind.SpinLock:
                ResolveSpinLockOwner(scan);
                break;
            case WaitKind.SemaphoreSlim when IsBlockingCollection(target):
                scan.Detail = DescribeBlockingCollection(target, scan.Api);
                break;
            case WaitKind.SemaphoreSlim:
                if (target.TryReadField<int>("m_currentCount", out var count))
                {
                    scan.Detail = $"count {count}";
                }

                break;
            case WaitKind.ManualResetEventSlim:
                scan.Detail = target.Type?.Name switch
                {
                    // Barrier._currentTotalCount: the participants in the low 15 bits, those that arrived in bits 16-30.
                    "System.Threading.Barrier" when target.TryReadField<int>("_currentTotalCount", out var counts) =>
                        $"{(counts >> 16) & 0x7FFF} of {counts & 0x7FFF} participants arrived",
                    "System.Threading.CountdownEvent" when target.TryReadField<int>("_currentCount", out var left) && target.TryReadField<int>("_initialCount", out var initial) =>
                        $"{left} of {initial} signals still missing",
                    _ => "not set",
                };
                break;
            case WaitKind.BrigadePrimitive:
                ResolveBrigadeOwner(scan);
                break;
            case WaitKind.WaitHandle when scan.Api == WaitRule.ProcessWaitForExit:
                scan.Detail = DescribeProcess(target);
                break;
        }

        if (scan.Api is { } api && WaitRule.IsTimed(api))
        {
            scan.Detail ??= "with a timeout: it gives up when the timeout expires";
        }
        else if (scan.Api is { } tryApi && WaitRule.TimeoutUnknown(tryApi))
        {
            scan.Detail ??= "with a timeout the dump cannot show: it gives up if finite, never with Timeout.Infinite";
        }
    }

    /// <summary>
    /// Review 45: a thread spinning in <c>SpinLock.Enter</c>. The <c>SpinLock</c> is a struct in a field of the object its
    /// frame roots (or a box of one); its <c>_owner</c> is the holder's managed thread id when it tracks its owner (the
    /// default, and <c>new SpinLock(true)</c>), and has its high bit set when it does not (<c>new SpinLock(false)</c>: no
    /// owner in the dump). An object with several <c>SpinLock</c> fields names its owners only when they agree.
    /// </summary>
    private void ResolveSpinLockOwner(ThreadScan scan)
    {
        const int TrackingDisabled = unchecked((int)0x80000000);
        var target = scan.Target;
        var locks = new List<(string? Field, int Owner)>();
        if (target.Type?.Name == WaitRule.SpinLockType)
        {
            if (target.TryReadField<int>("_owner", out var boxed))
            {
                locks.Add((null, boxed));
            }
        }
        else
        {
            foreach (var field in target.Type?.Fields.Where(f => f.Type?.Name == WaitRule.SpinLockType && f.Name is not null) ?? [])
            {
                try
                {
                    locks.Add((field.Name, target.ReadValueTypeField(field).ReadField<int>("_owner")));
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    // A field the DAC cannot read: no owner from it.
                }
            }
        }

        var fieldName = locks.Count == 1 && locks[0].Field is { } one ? $"its SpinLock field {one}" : null;
        if (locks.Count == 0)
        {
            return;
        }

        if (locks.All(l => (l.Owner & TrackingDisabled) != 0))
        {
            scan.Detail = (fieldName is null ? "" : fieldName + ", ") + "created without owner tracking (new SpinLock(false)): the dump does not show which thread holds it";
            return;
        }

        var owners = locks.Where(l => (l.Owner & TrackingDisabled) == 0 && l.Owner != 0).Select(l => l.Owner).Distinct().ToList();
        scan.Detail = fieldName;
        if (owners.Count == 1 && locks.Count == 1 && owners[0] != scan.ManagedId && _byManagedId.ContainsKey(owners[0]))
        {
            scan.Owners.Add(owners[0]);
        }
        else if (locks.Count > 1)
        {
            scan.Detail = $"one of its {locks.Count} SpinLock fields ({string.Join(", ", locks.Select(l => l.Field))}), which one is not in the dump";
        }
    }

    /// <summary>
    /// Review 44: a <c>WaitHandle.WaitOne</c> on the handle given to <c>Timer.Dispose(WaitHandle)</c>. The timer keeps it
    /// (<c>TimerQueueTimer._notifyWhenNoCallbacksRunning</c>) and sets it when its running callback returns: the thread
    /// running that callback (a <c>TimerQueueTimer.Fire</c> frame rooting the timer) owns the wait. Disposing a timer and
    /// waiting for its callback under a lock the callback takes is then a deadlock the graph finds.
    /// </summary>
    private static void NameTimerCallbackOwners(List<ThreadScan> threads)
    {
        foreach (var scan in threads.Where(t => t is { Kind: WaitKind.WaitHandle, Api: "WaitHandle.WaitOne", IsIdle: false } && !t.Target.IsNull && t.Owners.Count == 0))
        {
            var handle = scan.Target.Address;
            foreach (var other in threads.Where(t => t != scan))
            {
                var runsCallback = other.Frames.Where(f => f.TypeName == "System.Threading.TimerQueueTimer").SelectMany(f => f.Roots)
                    .Any(timer => timer.Type?.Name == "System.Threading.TimerQueueTimer" && timer.TryReadObjectField("_notifyWhenNoCallbacksRunning", out var notify)
                        && !notify.IsNull && (notify.Address == handle || (notify.TryReadObjectField("_waitHandle", out var safe) && safe.Address == handle)));
                if (runsCallback)
                {
                    scan.Owners.Add(other.ManagedId);
                    scan.HolderRoles[other.ManagedId] = "whose callback, which sets it, runs on";
                    scan.Detail = "the handle given to Timer.Dispose(WaitHandle), set when the timer's running callback returns";
                }
            }
        }
    }

    /// <summary>Review 51: what a thread running a <c>Barrier</c>'s post-phase action is to the participants waiting in it.</summary>
    internal const string PostPhaseRunner = "whose post-phase action, which must return before the phase ends, runs on";

    /// <summary>
    /// Review 51: a <c>Barrier.SignalAndWait</c> whose phase the last participant to arrive is finishing: that thread runs
    /// the post-phase action (a <c>Barrier.FinishPhase</c> frame rooting the barrier) and sets the participants free when it
    /// returns, so it owns their wait. The barrier's count then reads "0 of N arrived" (reset before the action runs). A
    /// post-phase action that takes a lock a participant holds while signalling was listed as "no owner to blame"; it is a
    /// deadlock the graph now finds. A <c>FinishPhase</c> frame that roots no barrier (its <c>this</c> not reported) is taken
    /// only when every participant waits on one and the same barrier.
    /// </summary>
    private static void NameBarrierPostPhaseOwners(List<ThreadScan> threads)
    {
        const string BarrierType = "System.Threading.Barrier";
        var waiters = threads.Where(t => t is { Kind: WaitKind.ManualResetEventSlim, Api: "Barrier.SignalAndWait", IsIdle: false } && !t.Target.IsNull
            && t.Target.Type?.Name == BarrierType && t.Owners.Count == 0).ToList();
        var oneBarrier = waiters.Select(w => w.Target.Address).Distinct().Count() == 1;
        foreach (var scan in waiters)
        {
            foreach (var other in threads.Where(t => t != scan && t.Frames.Exists(f => f.TypeName == BarrierType && f.MethodName == "FinishPhase")))
            {
                var rooted = other.Frames.Where(f => f.TypeName == BarrierType).SelectMany(f => f.Roots).Where(r => r.Type?.Name == BarrierType).Select(r => r.Address).ToList();
                if (rooted.Contains(scan.Target.Address) || (rooted.Count == 0 && oneBarrier))
                {
                    scan.Owners.Add(other.ManagedId);
                    scan.HolderRoles[other.ManagedId] = PostPhaseRunner;
                    scan.Detail = "every participant arrived";
                }
            }
        }
    }

    /// <summary>Review 54: a <c>ReaderWriterLockSlim</c> whose read count no live thread's own count explains.</summary>
    internal const string UnnamedReaders = "inside (which threads: not in the dump)";

    /// <summary>Said of a full <c>BlockingCollection</c> no thread takes from.</summary>
    internal const string NoTaker = "no thread is taking from it (none in Take, TryTake or GetConsumingEnumerable)";

    /// <summary>Review 50: what a <c>ReaderWriterLockSlim</c>'s holder that is no live thread is said to be (before: "not in
    /// the dump", and the waiter's line added "no thread holds it at this instant", which is false: the lock is held).</summary>
    internal const string EndedHolder = "which has ended (no live thread has that id): a lock its thread still held when it exited is never released";

    /// <summary>Said of an empty <c>BlockingCollection</c>, adding not completed, no thread adds to.</summary>
    internal const string NoAdder = "no thread is adding to it now";

    private static bool IsBlockingCollection(ClrObject o) =>
        o.Type?.Name is { } name && name.StartsWith(WaitRule.BlockingCollectionType + "<", StringComparison.Ordinal) && !name.Contains('+', StringComparison.Ordinal);

    /// <summary>The <c>BlockingCollection</c> an object is, or the one a consuming enumeration's iterator reads.</summary>
    internal static ClrObject BlockingCollectionOf(ClrObject o) =>
        IsBlockingCollection(o) ? o
        : o.Type?.Name?.StartsWith(WaitRule.BlockingCollectionType, StringComparison.Ordinal) == true && o.Type.Name.Contains("<GetConsumingEnumerable>", StringComparison.Ordinal)
            && o.TryReadObjectField("<>4__this", out var owner) && IsBlockingCollection(owner) ? owner : default;

    /// <summary>A blocked <c>Add</c>: the collection is full (<c>full: 2 items, its bounded capacity 2</c>); a blocked
    /// <c>Take</c>: it is empty, and whether adding was completed. The other threads taking or adding are named later
    /// (<see cref="NameBlockingCollectionPeers"/>).</summary>
    private static string? DescribeBlockingCollection(ClrObject collection, string? api)
    {
        var items = collection.TryReadObjectField("_occupiedNodes", out var occupied) && !occupied.IsNull && occupied.TryReadField<int>("m_currentCount", out var n) ? n : (int?)null;
        var capacity = collection.TryReadField<int>("_boundedCapacity", out var c) ? c : -1;
        var completed = collection.TryReadField<int>("_currentAdders", out var adders) && (adders & unchecked((int)0x80000000)) != 0;
        if (WaitRule.IsBlockingAdd(api))
        {
            return capacity > 0
                ? $"full: {items?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} item{(items == 1 ? "" : "s")}, its bounded capacity {capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                : "full";
        }

        return completed ? "empty, adding completed" : "empty, adding not completed";
    }

    /// <summary>Review 55: for each thread adding to a full <c>BlockingCollection</c> no thread takes from, the faulted tasks on
    /// the heap whose code holds a collection of its type (a consumer whose loop threw; see <see cref="TaskReader.FaultHolding(Microsoft.Diagnostics.Runtime.ClrObject, string, SourceLines?)"/>), named with their exception as a bounded channel's
    /// dead reader is (<see cref="TaskReader"/>). Before: "no thread is taking from it", and nothing of why. Review 61: the same
    /// for a thread taking from an empty collection, adding not completed, that no thread adds to (a producer that threw before
    /// its <c>CompleteAdding()</c>; before: "no thread is adding to it now", and nothing of why).</summary>
    internal static void NameDeadConsumers(List<ThreadScan> threads, AsyncHeap heap, SourceLines? lines)
    {
        foreach (var scan in threads.Where(t => !t.Target.IsNull && HasNoPeer(t.Detail) && IsBlockingCollection(t.Target)))
        {
            var type = scan.Target.Type?.Name ?? "";
            var faults = heap.FaultedBoxes.Concat(heap.FaultedTasks).Select(t => TaskReader.FaultHolding(t, type, lines)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            scan.Detail = WithDeadConsumers(scan.Detail!, faults);
        }
    }

    /// <summary>Whether a <c>BlockingCollection</c> wait's detail says no thread takes from it (full) or adds to it (empty):
    /// the waits whose other side may have ended with an exception.</summary>
    internal static bool HasNoPeer(string? detail) =>
        detail is not null && (detail.Contains(NoTaker, StringComparison.Ordinal) || detail.Contains(NoAdder, StringComparison.Ordinal));

    /// <summary>The detail of a full collection no thread takes from (or, review 61, of an empty one no thread adds to), with
    /// the faulted tasks that may be its consumers (producers; at most three named) after <see cref="NoTaker"/> (<see
    /// cref="NoAdder"/>): "may", as a task is matched by the collection's type, not the instance.</summary>
    internal static string WithDeadConsumers(string detail, IReadOnlyList<string> faults)
    {
        if (faults.Count == 0)
        {
            return detail;
        }

        var named = string.Join("; ", faults.Take(3)) + (faults.Count > 3 ? $"; and {faults.Count - 3} more" : "");
        var peer = detail.Contains(NoTaker, StringComparison.Ordinal) ? NoTaker : NoAdder;
        return detail.Replace(peer, $"{peer}; {DeadPeers} ({named})", StringComparison.Ordinal);
    }

    /// <summary>Said of a <c>BlockingCollection</c> before the faulted tasks that may have been its other side.</summary>
    internal const string DeadPeers = "a task whose code uses a collection of this type ended with an exception";

    /// <summary>
    /// For each thread blocked in a <c>BlockingCollection</c>: the other threads that take from it (in <c>Take</c>,
    /// <c>TryTake</c>, or a consuming <c>foreach</c>, blocked or running its body) or add to it (in <c>Add</c>/<c>TryAdd</c>).
    /// A producer on a full collection no thread takes from waits for ever; a consumer on an empty one no thread adds to
    /// waits for a producer the dump cannot see coming (one that finished without <c>CompleteAdding()</c>, or a live one
    /// between items).
    /// </summary>
    private static void NameBlockingCollectionPeers(List<ThreadScan> threads)
    {
        foreach (var scan in threads.Where(t => !t.Target.IsNull && (WaitRule.IsBlockingAdd(t.Api) || WaitRule.IsBlockingTake(t.Api)) && IsBlockingCollection(t.Target)))
        {
            var address = scan.Target.Address;
            var adding = WaitRule.IsBlockingAdd(scan.Api);
            var peers = threads.Where(t => t != scan && (adding ? Takes(t, address) : Adds(t, address))).Select(t => t.Label).ToList();
            scan.Detail = (adding, peers.Count) switch
            {
                (true, 0) => $"{scan.Detail}; {NoTaker}",
                (true, _) => $"{scan.Detail}; taking from it: {string.Join(", ", peers)}",
                (false, 0) when scan.Detail?.EndsWith("not completed", StringComparison.Ordinal) == true => $"{scan.Detail}; {NoAdder}",
                (false, 0) => scan.Detail,
                (false, _) => $"{scan.Detail}; adding to it: {string.Join(", ", peers)}",
            };
        }

        static bool Takes(ThreadScan t, ulong collection) => t.Frames.Exists(f => f.TypeName.StartsWith(WaitRule.BlockingCollectionType, StringComparison.Ordinal)
                && (f.MethodName is "Take" or "TryTake" or "TryTakeWithNoTimeValidation" || (f.MethodName == "MoveNext" && f.TypeName.Contains("<GetConsumingEnumerable>", StringComparison.Ordinal)))
                && f.Roots.Exists(r => BlockingCollectionOf(r) is { IsNull: false } c && c.Address == collection))
            || t.Frames.Exists(f => !f.IsFramework && f.Roots.Exists(r => r.Address != collection && BlockingCollectionOf(r) is { IsNull: false } c && c.Address == collection));

        static bool Adds(ThreadScan t, ulong collection) => t.Frames.Exists(f => f.TypeName.StartsWith(WaitRule.BlockingCollectionType, StringComparison.Ordinal)
            && f.MethodName is "Add" or "TryAdd" or "TryAddWithNoTimeValidation"
            && f.Roots.Exists(r => r.Address == collection));
    }

    /// <summary>
    /// A <c>CancellationTokenRegistration.Dispose</c> waiting for its callback: the source's <c>Registrations</c> records
    /// the managed id of the thread running the callbacks (<c>ThreadIDExecutingCallbacks</c>, set by <c>Cancel</c> for as
    /// long as it runs them), which is the owner. The waited object shown is the <c>CancellationTokenSource</c> (named by the
    /// field that holds it), not its internal registrations table.
    /// </summary>
    private void ResolveCancellationCallbackOwner(ThreadScan scan)
    {
        var registrations = scan.Target;
        if ((registrations.TryReadField<int>("ThreadIDExecutingCallbacks", out var running) || registrations.TryReadField<int>("_threadIDExecutingCallbacks", out running))
            && running > 0 && running != scan.ManagedId && _byManagedId.ContainsKey(running))
        {
            scan.Owners.Add(running);
            scan.Detail = "until the callback Cancel() is running returns";
        }
        else
        {
            scan.Detail = "until the callback Cancel() is running returns (the thread running it is not named)";
        }

        if (registrations.TryReadObjectField("Source", out var source) && source is { IsNull: false, IsValid: true })
        {
            scan.Target = source;
        }
    }

    /// <summary>
    /// A wait for a type's initialization: the runtime's type-initialization lock (native, not in the managed heap) is
    /// held by the thread running that type's static constructor, whose stack shows its <c>.cctor</c> frame. The waited
    /// type is not in the dump's frames (it is a native argument), so the owner is named only when exactly one other thread
    /// is inside a static constructor: that thread holds every type-initialization lock there is to wait for. With
    /// several, the wait is listed with the candidates and no owner (no edge). A thread whose stack was cut at
    /// <see cref="DoctorOptions.MaxFramesPerThread"/> or could not be read may be running a static constructor in the frames
    /// not kept (a deep recursive load): it is a candidate too, so with one no owner is named. Such a thread counts even when
    /// it looks idle: the frames kept (none, or only the framework's, as deep in a serializer's recursion) do not show
    /// what it runs.
    /// </summary>
    /// <summary>
    /// Review 45: <c>GC.WaitForPendingFinalizers</c> waits for the finalizer thread (the one in <c>GC.RunFinalizers</c>)
    /// to run the finalizers queued so far. While that thread runs an application's finalizer it owns the wait: a
    /// finalizer blocked on a lock the waiting thread holds is a deadlock. An idle finalizer thread owns nothing (the
    /// wait is ending, or its finalizers are the framework's).
    /// </summary>
    private static void ResolveFinalizerOwner(ThreadScan scan, List<ThreadScan> threads)
    {
        var finalizer = threads.FirstOrDefault(t => t != scan && t.Frames.Exists(f => f.TypeName == "System.GC" && f.MethodName == "RunFinalizers"));
        var running = finalizer?.Frames.FirstOrDefault(f => !f.IsFramework && f.MethodName == "Finalize");
        if (finalizer is null || running is null)
        {
            scan.Detail = "until the finalizer thread has run the finalizers queued so far";
            return;
        }

        scan.Owners.Add(finalizer.ManagedId);
        scan.Detail = $"until the finalizer thread has run the finalizers queued so far; it is running {SourceNames.Type(running.TypeName, null).Replace('+', '.')}'s finalizer";
    }

    private void ResolveTypeInitializerOwner(ThreadScan scan, List<ThreadScan> threads)
    {
        var running = threads.Where(t => t != scan)
            .Select(t => (Scan: t, Types: t.Frames.Where(f => f.MethodName == ".cctor").Select(f => SourceNames.Type(f.TypeName, null).Replace('+', '.')).Distinct().ToList()))
            .Where(r => r.Types.Count > 0).ToList();
        var unknown = threads.Where(t => t != scan && _partialStacks.Contains(t.ManagedId) && !running.Exists(r => r.Scan == t)).ToList();
        if (running.Count == 1 && unknown.Count == 0)
        {
            scan.Owners.Add(running[0].Scan.ManagedId);
            scan.Detail = $"for the static constructor of {string.Join(" or ", running[0].Types)}";
        }
        else if (running.Count + unknown.Count == 0)
        {
            scan.Detail = "for a static constructor that no thread shows running";
        }
        else
        {
            var candidates = running.Select(r => (r.Scan.ManagedId, Text: $"#{r.Scan.ManagedId} ({string.Join(", ", r.Types)})"))
                .Concat(unknown.Select(u => (u.ManagedId, Text: $"#{u.ManagedId} ({(u.Frames.Count >= _options.MaxFramesPerThread ? $"more than {_options.MaxFramesPerThread} frames deep, the outer ones not read" : "its stack not fully readable")})")))
                .OrderBy(c => c.ManagedId).Select(c => c.Text);
            scan.Detail = $"for a static constructor running on one of threads {string.Join(", ", candidates)}";
        }
    }

    private int? MonitorOwner(ClrObject target)
    {
        if (target.SyncBlock is { } syncBlock)
        {
            return syncBlock.IsMonitorHeld && _byAddress.TryGetValue(syncBlock.HoldingThreadAddress, out var holder) ? holder.ManagedThreadId : null;
        }

        // A thin lock: the owner's managed thread id is in the object header.
        if (_runtime.DataTarget.DataReader.Read<uint>(target.Address - 4) is var header && (header & HeaderIsHashOrSyncBlock) == 0)
        {
            var id = (int)(header & ThinLockThreadIdMask);
            return id != 0 && _byManagedId.ContainsKey(id) ? id : null;
        }

        return null;
    }

    private void ResolveReaderWriterOwners(ThreadScan scan)
    {
        var rw = scan.Target;
        if (rw.Type?.Name == "System.Threading.ReaderWriterLock")
        {
            ResolveLegacyReaderWriterOwners(scan);
            return;
        }

        var roles = new List<(int Thread, string Role)>();
        if (rw.TryReadField<int>("_writeLockOwnerId", out var writer) && writer > 0)
        {
            roles.Add((writer, "write lock"));
        }

        if (scan.Kind != WaitKind.ReaderWriterLockRead && rw.TryReadField<int>("_upgradeLockOwnerId", out var upgrader) && upgrader > 0)
        {
            roles.Add((upgrader, "upgradeable read lock"));
        }

        var readers = scan.Kind == WaitKind.ReaderWriterLockWrite ? Readers(rw) : [];
        roles.AddRange(readers.Select(r => (r, "read lock")));

        // One holder, one mention: a thread may hold several roles (an upgradeable reader that took the write lock, a
        // reader counted twice), and the report names each owner once, with what it holds.
        var parts = new List<string>();
        foreach (var group in roles.Where(r => r.Thread != scan.ManagedId).GroupBy(r => r.Thread))
        {
            var role = string.Join(" and ", group.Select(r => r.Role).Distinct());
            if (_byManagedId.ContainsKey(group.Key))
            {
                scan.Owners.Add(group.Key);
                scan.HolderRoles[group.Key] = role;
            }
            else
            {
                parts.Add($"{role} held by thread #{group.Key}, {EndedHolder}");
            }
        }

        // Review 50: the upgradeable read lock's holder is counted among _owners too; it is named above, not an unknown reader.
        if (readers.Count == 0 && scan.Kind == WaitKind.ReaderWriterLockWrite && rw.TryReadField<uint>("_owners", out var ownersWord)
            && (ownersWord & 0x0FFFFFFF) - (rw.TryReadField<int>("_upgradeLockOwnerId", out var upgrading) && upgrading > 0 ? 1 : 0) is var unknown and > 0)
        {
            parts.Add($"{unknown} {(unknown == 1 ? "reader" : "readers")} {UnnamedReaders}");
        }

        scan.Detail = parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>
    /// Doctor67: the holders of a legacy <c>System.Threading.ReaderWriterLock</c> (not the Slim one). Its writer is the
    /// managed thread id in <c>_writerID</c>; its readers each have, in their <c>[ThreadStatic]</c> list of lock entries
    /// (<c>ThreadLocalLockEntry.t_lockEntryHead</c>), one whose <c>_lockID</c> is the lock's with a <c>_readerLevel</c> above 0. A writer waits for
    /// both, a reader for the writer. Before, the wait read as one on its internal event with "no owner to blame", and two
    /// such locks taken in opposite orders read "No pitfall found".
    /// </summary>
    private void ResolveLegacyReaderWriterOwners(ThreadScan scan)
    {
        var rw = scan.Target;
        var parts = new List<string>();
        if (rw.TryReadField<int>("_writerID", out var writer) && writer > 0 && writer != scan.ManagedId)
        {
            if (_byManagedId.ContainsKey(writer))
            {
                scan.Owners.Add(writer);
                scan.HolderRoles[writer] = "write lock";
            }
            else
            {
                parts.Add($"write lock held by thread #{writer}, {EndedHolder}");
            }
        }

        if (scan.Kind == WaitKind.ReaderWriterLockWrite && rw.TryReadField<long>("_lockID", out var lockId)
            && rw.Type!.Module?.GetTypeByName("System.Threading.ReaderWriterLock+ThreadLocalLockEntry")?.ThreadStaticFields.FirstOrDefault(f => f.Name == "t_lockEntryHead") is { } head)
        {
            foreach (var thread in _byManagedId.Values.Where(t => t.ManagedThreadId != scan.ManagedId && !scan.Owners.Contains(t.ManagedThreadId)))
            {
                ClrObject entry;
                try
                {
                    entry = head.ReadObject(thread);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
                {
                    continue;
                }

                for (var guard = 0; entry.IsValid && !entry.IsNull && guard < 64; guard++)
                {
                    if (entry.TryReadField<long>("_lockID", out var id) && id == lockId && entry.TryReadField<ushort>("_readerLevel", out var level) && level > 0)
                    {
                        scan.Owners.Add(thread.ManagedThreadId);
                        scan.HolderRoles[thread.ManagedThreadId] = "read lock";
                        break;
                    }

                    entry = entry.TryReadObjectField("_next", out var next) ? next : default;
                }
            }
        }

        scan.Detail = parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>The threads holding a read lock on <paramref name="rw"/>: each thread's <c>[ThreadStatic]</c> list of per-lock counts.</summary>
    private List<int> Readers(ClrObject rw)
    {
        var readers = new List<int>();
        if (!rw.TryReadField<long>("_lockID", out var lockId))
        {
            return readers;
        }

        var field = rw.Type?.ThreadStaticFields.FirstOrDefault(f => f.Name is "t_rwc" or "t_rmcount");
        if (field is null)
        {
            return readers;
        }

        foreach (var thread in _byManagedId.Values)
        {
            ClrObject counts;
            try
            {
                counts = field.ReadObject(thread);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
            {
                continue;
            }

            for (var guard = 0; counts.IsValid && !counts.IsNull && guard < 64; guard++)
            {
                if (counts.TryReadField<long>("lockID", out var id) && id == lockId && counts.TryReadField<int>("readercount", out var readerCount) && readerCount > 0)
                {
                    readers.Add(thread.ManagedThreadId);
                }

                counts = counts.TryReadObjectField("next", out var next) ? next : default;
            }
        }

        return readers;
    }

    private static void ResolveBrigadeOwner(ThreadScan scan)
    {
        var primitive = scan.Target;
        foreach (var fieldName in new[] { "_owner", "_writer" })
        {
            if (primitive.TryReadObjectField(fieldName, out var holder) && !holder.IsNull && holder.IsValid
                && holder.TryReadField<int>("<ThreadId>k__BackingField", out var id) && id != scan.ManagedId)
            {
                scan.Owners.Add(id);
            }
        }

        if (primitive.TryReadStringField("<Name>k__BackingField", null, out var name) && name is not null)
        {
            scan.Detail = $"'{name}'";
        }
    }

    /// <summary>Gets whether the continuation of the async method <paramref name="box"/> (its state machine box) sits in
    /// the queue of <paramref name="context"/>: whether its <c>MoveNextAction</c> delegate (what
    /// <c>SynchronizationContextAwaitTaskContinuation</c> posts) can be reached from the context by following references,
    /// breadth-first, at most <paramref name="limit"/> objects. The search does not go through tasks, threads or other
    /// contexts: a queued callback that captured the task (or a UI framework's object graph, which reaches most of the
    /// app) is no continuation queued here. No delegate, no finding.</summary>
    public static bool ContinuationQueuedOn(ClrObject context, ClrObject box, int limit = 50_000)
    {
        // The box caches its MoveNext delegate in Task.m_action (.NET 5 and later; _moveNextAction before). It must be a
        // delegate to the box itself.
        var action = box.TryReadObjectField("m_action", out var cached) && !cached.IsNull ? cached
            : box.TryReadObjectField("_moveNextAction", out var older) ? older : default;
        if (action.IsNull || !action.IsValid || !action.TryReadObjectField("_target", out var delegateTarget) || delegateTarget.Address != box.Address)
        {
            return false;
        }

        return Reaches(context, action.Address, limit, type => type is not null
            && (WaitRule.DerivesFrom(type, "System.Threading.Tasks.Task") || type.Name == "System.Threading.Thread"
                || WaitRule.DerivesFrom(type, "System.Threading.SynchronizationContext")));
    }

    /// <summary>Gets whether <paramref name="target"/> can be reached from <paramref name="from"/> by following
    /// references (breadth-first, at most <paramref name="limit"/> objects seen, counted per reference), without
    /// going through objects of a type <paramref name="stop"/> says to stop at.</summary>
    public static bool Reaches(ClrObject from, ulong target, int limit, Func<ClrType?, bool> stop)
    {
        var seen = new HashSet<ulong> { from.Address };
        var stops = new Dictionary<ClrType, bool>();
        var queue = new Queue<ClrObject>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            try
            {
                foreach (var next in current.EnumerateReferences(carefully: true, considerDependantHandles: false))
                {
                    if (next.Address == target)
                    {
                        return true;
                    }

                    if (!next.IsValid || next.IsNull || !seen.Add(next.Address))
                    {
                        continue;
                    }

                    if (seen.Count >= limit)
                    {
                        return false;
                    }

                    var type = next.Type;
                    bool stopHere;
                    if (type is null)
                    {
                        stopHere = stop(null);
                    }
                    else if (!stops.TryGetValue(type, out stopHere))
                    {
                        stops[type] = stopHere = stop(type);
                    }

                    if (!stopHere)
                    {
                        queue.Enqueue(next);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
            {
                // An unreadable object: its remaining references are not followed.
            }
        }

        return false;
    }

    /// <summary>The thread's name, from its <c>Thread</c> object (the thread-static <c>Thread.t_currentThread</c>), or null.</summary>
    private string? ThreadName(ThreadScan scan)
    {
        _currentThreadField ??= CoreLib?.GetTypeByName("System.Threading.Thread")?.ThreadStaticFields.FirstOrDefault(f => f.Name == "t_currentThread");
        if (_currentThreadField is null)
        {
            return null;
        }

        try
        {
            var thread = _currentThreadField.ReadObject(scan.Thread);
            if (thread.IsValid && !thread.IsNull)
            {
                if (thread.TryReadObjectField("_synchronizationContext", out var context) && context.IsValid && !context.IsNull)
                {
                    scan.SyncContext = context;
                }

                return thread.TryReadStringField("_name", null, out var name) && !string.IsNullOrEmpty(name) ? name : null;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            // Fall back to the runtime's handles below.
        }

        // The thread never read Thread.CurrentThread: find its Thread object among the runtime's strong handles (once).
        _handleNames ??= HandleNames();
        return _handleNames.GetValueOrDefault(scan.ManagedId);
    }

    private Dictionary<int, string> HandleNames()
    {
        var names = new Dictionary<int, string>();
        foreach (var handle in _runtime.EnumerateHandles())
        {
            if (handle.IsStrong && handle.Object.Type?.Name == "System.Threading.Thread"
                && handle.Object.TryReadField<int>("_managedThreadId", out var id) && handle.Object.TryReadStringField("_name", null, out var name) && !string.IsNullOrEmpty(name))
            {
                names[id] = name;
            }
        }

        return names;
    }
}
