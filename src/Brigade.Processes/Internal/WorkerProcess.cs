using System.Collections.Concurrent;
using System.Diagnostics;
using Brigade.Engines.Remote;
using Brigade.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Internal;

/// <summary>
/// The host's handle on one worker process: its channel, its standard-error tail, and a watchdog that kills it when
/// a deadline passes (start-up, an item running past its timeout, or a cancelled batch outliving its grace period).
/// Reads and batch writes belong to the one thread that holds the worker (a run's loop); only cancellation (its Cancel
/// frame is written from the thread pool) and kills come from other threads.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    // Every live worker of this process, so that they are killed when it exits normally or on SIGTERM.
    private static readonly ConcurrentDictionary<WorkerProcess, byte> Live = new();
    private static int s_exitHookInstalled;

    private readonly Process _process;
    private readonly Stream _toWorker;
    private readonly FrameReader _reader;
    private readonly StderrTail _stderr;
    private readonly Timer _watchdog;
    private readonly HashSet<int> _prepared = [];

    // Guards writes to _toWorker: a run's loop sends batches while a cancellation callback may send Cancel.
    private readonly Lock _writeGate = new();

    // Review 65d: a large byte[] input referred to by a Batch frame goes to the pipe through this kept buffer (under
    // _writeGate), not straight from the user's array: the kernel's copy from pages the program has just written is slow
    // here (see RemoteValueStage). One per worker, allocated by its first large input.
    private readonly RemoteValueStage _stage = new();

    // Guards the deadlines, _armed and _scheduled, and makes the watchdog's decision to kill atomic with Disarm.
    private readonly Lock _watchdogGate = new();

    // Whether the holder waits for a frame (between Arm and Disarm): only then do the deadlines apply.
    private bool _armed;

    // Whether the watchdog timer may fire (so that Disarm changes it only when it has to: most runs set no deadline).
    private bool _scheduled;

    // When the frame awaited must arrive (start-up, item timeout), or 0 for no limit.
    private long _deadline;
    private KillReason _killReasonOnDeadline;

    // When a cancelled run stops waiting for this worker's last chunk, or 0 while no run of it is cancelled; and which
    // run of this worker a grace belongs to (EndCancelGrace moves it on, so a Cancel frame queued by a run that has
    // since ended starts no grace on the worker's next run).
    private long _graceDeadline;
    private int _graceEpoch;

    // The moment a worker gets for its next frame whenever its grace is (re-)started: the same floor as for the period itself.
    private static TimeSpan MinGraceAfterArm => ProcessEngineOptions.MinCancellationGracePeriod;

    // The longest a timer may be set for (Timer.Change refuses more than about 49.7 days): a deadline further away is
    // reached in steps, each callback setting the timer again.
    private static TimeSpan MaxTimerStep => TimeSpan.FromDays(40);
    private int _killReason;
    // 64-bit: at millions of batches a second a worker would need 10^5 years to wrap (an int wrapped within days, and
    // the worker then took every later batch for one cancelled before it started: review 20 P4).
    private long _nextBatchId;

    // What the worker said in a Fatal frame before it stopped (its loop's thread only), or null.
    private string? _fatal;
    private int _disposed;

    // Review 72: the worker's start time, read as it starts, and its TMPDIR: what its runtime's files in the temporary
    // directory (two debugger FIFOs, the diagnostics socket) are named after and where they are. A worker never removes
    // them itself: it is killed (SIGKILL), crashes, or ends with _exit (ParentWatch.Exit: retired, recycled, its channel
    // gone), none of which runs the runtime's shutdown. This process removes them once it sees the death.
    private readonly string? _startTime;
    private readonly string? _temporaryDirectory;
    private int _ipcFilesRemoved;

    private WorkerProcess(Process process, string assemblyPath, StderrTail stderr)
    {
        _process = process;
        _stderr = stderr;
        Pid = process.Id;
        AssemblyPath = assemblyPath;
        _toWorker = process.StandardInput.BaseStream;
        _reader = new FrameReader(process.StandardOutput.BaseStream, $"worker pid {Pid}");
        _watchdog = Brigade.Internal.DetachedContext.CreateTimer(static state => ((WorkerProcess)state!).OnWatchdog(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _startTime = RuntimeIpcFiles.StartTime(Pid);
        _temporaryDirectory = RuntimeIpcFiles.TemporaryDirectoryOf(process.StartInfo);
        // The launcher raises Exited (once the process is reaped), unless the Process is disposed first: Dispose sees to that case.
        process.Exited += (_, _) => RemoveIpcFiles();
    }

    public int Pid { get; }

    public string Location => $"pid {Pid}";

    public string AssemblyPath { get; }

    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets or sets the items this process has run, across runs (for recycling).</summary>
    public long ItemsRun { get; set; }

    /// <summary>Gets or sets the working set the worker last reported, or -1.</summary>
    public long LastWorkingSet { get; set; } = -1;

    /// <summary>Gets or sets when the worker went idle in the pool.</summary>
    public long IdleSince { get; set; }

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public KillReason KillReason => (KillReason)Volatile.Read(ref _killReason);

    /// <summary>Starts a worker for an assembly and completes the handshake.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled and the worker did not
    /// answer within the cancellation grace period (it was killed rather than waited for until its start-up deadline).</exception>
    public static WorkerProcess Start(WorkerLauncher launcher, string assemblyPath, string? workName, ProcessEngineOptions options, CancellationToken cancellationToken)
    {
        InstallExitHook();
        var started = Stopwatch.GetTimestamp();
        var stderr = new StderrTail(0, options.ForwardWorkerOutput ? StderrForwarder.Shared : null);
        var process = launcher.Start(assemblyPath, workName, options, (_, e) => stderr.OnLine(e.Data));
        stderr.Pid = process.Id;
        var worker = new WorkerProcess(process, assemblyPath, stderr) { _nextBatchId = options.FirstBatchId };
        Live.TryAdd(worker, 0);
        var grace = worker.GraceOnCancel(options, cancellationToken);
        try
        {
            worker.Arm(options.StartTimeout, KillReason.StartTimeout);
            var hello = new FrameBuffer(64);
            hello.BeginFrame(MessageType.Hello);
            hello.WriteUInt32(WireFormat.Magic);
            hello.WriteUInt16(WireFormat.Version);
            hello.EndFrame();
            worker.Send(hello);

            var (type, payload) = worker.Read();
            if (type == MessageType.Fatal)
            {
                throw new ProtocolException($"Worker pid {worker.Pid} refused the handshake: {new PayloadReader(payload.Span).ReadString()}");
            }

            if (type != MessageType.Ready)
            {
                throw new ProtocolException($"Worker pid {worker.Pid} answered the handshake with {type} instead of Ready.");
            }

            var ready = new PayloadReader(payload.Span);
            if (ready.ReadUInt32() != WireFormat.Magic)
            {
                throw new ProtocolException($"Process pid {worker.Pid} is not a Brigade worker: its handshake has the wrong magic number.");
            }

            var version = ready.ReadUInt16();
            if (version != WireFormat.Version)
            {
                throw new ProtocolException($"Worker pid {worker.Pid} speaks protocol version {version}; this host speaks {WireFormat.Version}. Rebuild so that Brigade.Processes and Brigade.Processes.Worker come from the same version.");
            }

            if (!worker.Disarm())
            {
                // Its start-up deadline passed as it answered: it is being killed, so it did not start.
                throw new EndOfStreamException($"Worker pid {worker.Pid} was killed at its start-up deadline.");
            }

            worker.StartupTime = Stopwatch.GetElapsedTime(started);
            worker.EndGraceOnCancel(grace);
            return worker;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            grace.Dispose();
            var exit = worker.WaitForDeath();
            worker.Dispose();
            if (exit.Reason == KillReason.Disposed)
            {
                throw WorkerPool.DisposedDuringTheRun();
            }

            if (exit.Reason == KillReason.Canceled)
            {
                throw new OperationCanceledException($"The run was cancelled while worker pid {worker.Pid} started, and it did not answer within the grace period: killed.", e, cancellationToken);
            }

            throw new WorkerStartException($"The worker process did not start: {exit.Describe()}", e);
        }
        catch
        {
            grace.Dispose();
            worker.Dispose();
            throw;
        }
    }

    public long NextBatchId() => ++_nextBatchId;

    public bool IsPrepared(int workId) => _prepared.Contains(workId);

    /// <summary>Gets whether the worker has reached its item count or memory ceiling, and should be retired.</summary>
    public bool ShouldRecycle(ProcessEngineOptions options) =>
        (options.MaxItemsPerWorker is { } maxItems && ItemsRun >= maxItems) ||
        (options.MaxWorkerMemoryBytes is { } maxMemory && LastWorkingSet > maxMemory);

    /// <summary>Creates the work instance in the worker unless it was created for this run already.</summary>
    /// <exception cref="OperationCanceledException">See <see cref="Prepare"/>.</exception>
    public void EnsurePrepared(int workId, ProcessWork work, ItemPolicySpec? policy, RunCulture culture, TimeSpan flushInterval, bool reportMemory, ProcessEngineOptions options, CancellationToken cancellationToken)
    {
        if (!IsPrepared(workId))
        {
            Prepare(workId, work, policy, culture, flushInterval, reportMemory, options, cancellationToken);
        }
    }

    /// <summary>Creates the work instance in the worker (within <see cref="ProcessEngineOptions.StartTimeout"/>); failures are reported before any item runs.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled and the work type was
    /// not created within the cancellation grace period (a constructor that hangs): the worker was killed.</exception>
    public void Prepare(int workId, ProcessWork work, ItemPolicySpec? policy, RunCulture culture, TimeSpan flushInterval, bool reportMemory, ProcessEngineOptions options, CancellationToken cancellationToken)
    {
        var frame = new FrameBuffer(256);
        frame.BeginFrame(MessageType.Prepare);
        frame.WriteInt32(workId);
        frame.WriteString(work.Name);
        frame.WriteInt64(flushInterval.Ticks);
        frame.WriteByte((byte)((reportMemory ? WireFormat.PrepareReportMemory : 0) | (policy is null ? 0 : WireFormat.PrepareItemPolicy) | WireFormat.PrepareCulture));
        if (policy is not null)
        {
            PolicyFrames.Write(frame, policy);
        }

        culture.Write(frame);

        frame.EndFrame();
        var grace = GraceOnCancel(options, cancellationToken);
        try
        {
            Arm(options.StartTimeout, KillReason.StartTimeout);
            Send(frame);
            var (type, payload) = Read();
            if (!Disarm())
            {
                throw new EndOfStreamException($"Worker pid {Pid} was killed while it loaded the work type.");
            }
            if (type == MessageType.Fatal)
            {
                throw new ProtocolException($"Worker pid {Pid} stopped: {new PayloadReader(payload.Span).ReadString()}");
            }

            if (type != MessageType.Prepared)
            {
                throw new ProtocolException($"Worker pid {Pid} answered Prepare with {type}.");
            }

            var reader = new PayloadReader(payload.Span);
            if (reader.ReadInt32() != workId)
            {
                throw new ProtocolException($"Worker pid {Pid} answered Prepare for another work id.");
            }

            var ok = reader.ReadByte() != 0;
            var errorType = reader.ReadString();
            var error = reader.ReadString();
            if (!ok)
            {
                if (errorType == "WorkTypeNotFound")
                {
                    throw new ArgumentException(error);
                }

                throw new InvalidOperationException(
                    $"Work type {work.Name} could not be created in worker pid {Pid}: {errorType}: {error}",
                    new RemoteWorkException(errorType ?? "System.Exception", error ?? "", null, Location, null));
            }

            _prepared.Add(workId);
            EndGraceOnCancel(grace);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            grace.Dispose();
            var exit = WaitForDeath();
            if (exit.Reason == KillReason.Disposed)
            {
                throw WorkerPool.DisposedDuringTheRun();
            }

            if (exit.Reason == KillReason.Canceled)
            {
                throw new OperationCanceledException($"The run was cancelled while worker pid {Pid} created work type {work.Name}, which did not end within the grace period: killed.", e, cancellationToken);
            }

            throw new WorkerStartException($"The worker process died while loading work type {work.Name}: {exit.Describe()}", e);
        }
        finally
        {
            grace.Dispose();
        }
    }

    // While the worker starts or creates the work type (a blocking read bounded by StartTimeout, 30 s by default): once the
    // run is cancelled, the worker gets the run's grace period to answer, and is killed (as Canceled) after it, as a batch's
    // worker is. Without it a cancelled run waited for a hung start-up or constructor until StartTimeout (review 21 P4).
    private CancellationTokenRegistration GraceOnCancel(ProcessEngineOptions options, CancellationToken cancellationToken)
    {
        var grace = options.EffectiveCancellationGracePeriod;
        return !cancellationToken.CanBeCanceled || grace == Timeout.InfiniteTimeSpan
            ? default
            : cancellationToken.UnsafeRegister(static state =>
            {
                var (worker, grace) = ((WorkerProcess, TimeSpan))state!;
                lock (worker._watchdogGate)
                {
                    if (worker._graceDeadline == 0)
                    {
                        worker._graceDeadline = After(Stopwatch.GetTimestamp(), grace);
                        worker.Reschedule();
                    }
                }
            }, (this, grace));
    }

    // The start-up or Prepare answered in time: the grace it may have started ends with it (the run, if cancelled, stops
    // at its next step and gives the healthy worker back to the pool).
    private void EndGraceOnCancel(CancellationTokenRegistration grace)
    {
        // Dispose waits for a callback that is running, so none starts a grace after this.
        grace.Dispose();
        EndCancelGrace();
    }

    public void Release(int workId)
    {
        if (!_prepared.Remove(workId))
        {
            return;
        }

        var frame = new FrameBuffer(16);
        frame.BeginFrame(MessageType.Release);
        frame.WriteInt32(workId);
        frame.EndFrame();
        try
        {
            Send(frame);
        }
        catch (IOException)
        {
            // A dead worker has nothing to release; the pool notices it is gone.
        }
    }

    public void Send(FrameBuffer frame)
    {
        lock (_writeGate)
        {
            frame.WriteTo(_toWorker, _stage);
        }
    }

    /// <summary>
    /// Asks the worker to stop a batch before its next item, from a pool thread that starts the grace period (after which
    /// a worker still running it is killed, <see cref="KillReason.Canceled"/>) as it sends the frame. Never blocks: it runs
    /// on whatever thread cancels.
    /// </summary>
    /// <param name="batchId">The batch to cancel.</param>
    /// <param name="grace">How long the worker may take to send the batch's last chunk while its holder waits for it, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to never kill it for cancellation.</param>
    public void Cancel(long batchId, TimeSpan grace)
    {
        // The write blocks while the worker is frozen (SIGSTOP, a debugger) with its pipe full, or while the holder's
        // own write does: not on the canceller's thread. Frames stay whole (_writeGate), and their order does not
        // matter: the worker cancels every batch up to this id, including one whose frame it has not read yet.
        int epoch;
        lock (_watchdogGate)
        {
            epoch = _graceEpoch;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Worker.SendCancel(state.BatchId, state.Grace, state.Epoch), (Worker: this, BatchId: batchId, Grace: grace, Epoch: epoch), preferLocal: false);
    }

    // The grace starts as the frame goes out (before a write that may block on a frozen worker), not when it was queued:
    // on a starved thread pool the frame can leave late, and a worker that honours its token was killed for it (review
    // 20 P1). A run that ended meanwhile (EndCancelGrace) gets no grace; the frame is harmless then (a later batch has a
    // higher id).
    private void SendCancel(long batchId, TimeSpan grace, int epoch)
    {
        lock (_watchdogGate)
        {
            if (_graceEpoch == epoch && _graceDeadline == 0 && grace != Timeout.InfiniteTimeSpan)
            {
                _graceDeadline = After(Stopwatch.GetTimestamp(), grace);
                Reschedule();
            }
        }

        TrySendCancel(batchId);
    }

    /// <summary>Ends the grace period of a cancelled run, before the worker goes back to the pool.</summary>
    public void EndCancelGrace()
    {
        lock (_watchdogGate)
        {
            _graceDeadline = 0;
            _graceEpoch++;
            Reschedule();
        }
    }

    private void TrySendCancel(long batchId)
    {
        var frame = new FrameBuffer(16);
        frame.BeginFrame(MessageType.Cancel);
        frame.WriteInt64(batchId);
        frame.EndFrame();
        try
        {
            Send(frame);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The worker is gone; its loop finds out on its next read.
        }
    }

    /// <summary>Gets how many bytes the channel's frame reader holds on to (a test's window on the release at a run's end).</summary>
    internal int ReaderCapacity => _reader.Capacity;

    /// <summary>Gives back the frame reader's buffer grown for large frames; only from the thread that holds the worker,
    /// between frames (a run's end).</summary>
    public void TrimBuffers() => _reader.Trim();

    /// <summary>
    /// Reads the next frame; the end of the channel is an <see cref="EndOfStreamException"/>. A <c>Fatal</c> frame's
    /// reason is kept for <see cref="WaitForDeath"/>: the worker exits right after sending it, and its death is then
    /// reported by that reason, not by its exit code.
    /// </summary>
    public (MessageType Type, ReadOnlyMemory<byte> Payload) Read()
    {
        var frame = _reader.Read();
        if (frame.Type == MessageType.Fatal)
        {
            try
            {
                _fatal = new PayloadReader(frame.Payload.Span).ReadString() ?? "";
            }
            catch (ProtocolException)
            {
                _fatal = "";
            }
        }

        return frame;
    }

    /// <summary>
    /// Kills the worker if no frame arrives (and <see cref="Disarm"/> is not called) within <paramref name="timeout"/>,
    /// or, once its run is cancelled, within the grace period (<see cref="Cancel"/>).
    /// </summary>
    /// <param name="timeout">How long the frame may take, or <see langword="null"/> for no limit but the grace period.</param>
    /// <param name="reason">Why the worker is killed when <paramref name="timeout"/> passes.</param>
    public void Arm(TimeSpan? timeout, KillReason reason)
    {
        lock (_watchdogGate)
        {
            _armed = true;
            _killReasonOnDeadline = reason;
            var now = Stopwatch.GetTimestamp();
            _deadline = timeout is { } t ? After(now, t) : 0;

            // The grace runs on while the loop delivers results (which may wait for a slow reader): re-armed after that,
            // the worker still gets a moment for its next frame rather than being killed at once (review 20 P3).
            var least = After(now, MinGraceAfterArm);
            if (_graceDeadline != 0 && _graceDeadline < least)
            {
                _graceDeadline = least;
            }

            Reschedule();
        }
    }

    /// <summary>
    /// Stops the watchdog. Atomic with its firing: either the watchdog has already condemned the worker (and this
    /// returns <see langword="false"/>), or it never will for this deadline. A worker is reusable only after a
    /// <see langword="true"/> answer.
    /// </summary>
    /// <returns>Whether the worker is still healthy: not killed by its watchdog nor by anyone else.</returns>
    public bool Disarm()
    {
        lock (_watchdogGate)
        {
            _armed = false;
            _deadline = 0;
            Reschedule();
        }

        return KillReason == KillReason.None;
    }

    // Under _watchdogGate: sets the timer to the nearest deadline that applies, or stops it (a disposed worker has none).
    private void Reschedule()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var next = !_armed ? 0 : _deadline == 0 ? _graceDeadline : _graceDeadline == 0 ? _deadline : Math.Min(_deadline, _graceDeadline);
        if (next != 0)
        {
            var left = TimeSpan.FromSeconds((double)Math.Max(0, next - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            _watchdog.Change(left < MaxTimerStep ? left : MaxTimerStep, Timeout.InfiniteTimeSpan);
            _scheduled = true;
        }
        else if (_scheduled)
        {
            _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
            _scheduled = false;
        }
    }

    // A timestamp a span after now, saturated: a span of years (a long grace period or item timeout) never wraps into the past.
    private static long After(long now, TimeSpan span)
    {
        var ticks = span.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    private void OnWatchdog()
    {
        KillReason reason;
        lock (_watchdogGate)
        {
            if (!_armed)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (_deadline != 0 && now >= _deadline)
            {
                reason = _killReasonOnDeadline;
            }
            else if (_graceDeadline != 0 && now >= _graceDeadline)
            {
                reason = KillReason.Canceled;
            }
            else
            {
                // Re-armed since this callback was scheduled, or a step towards a distant deadline (MaxTimerStep).
                Reschedule();
                return;
            }

            // Condemned under the gate, so that a Disarm racing this callback sees it (and the worker is not reused).
            _armed = false;
            _deadline = 0;
            Interlocked.CompareExchange(ref _killReason, (int)reason, (int)KillReason.None);
        }

        Kill(reason);
    }

    public void Kill(KillReason reason)
    {
        Interlocked.CompareExchange(ref _killReason, (int)reason, (int)KillReason.None);
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits (bounded) for a dying worker to be gone, killing it if it lingers, and says how it died.</summary>
    public WorkerExit WaitForDeath()
    {
        int? exitCode = null;
        int? signal = null;
        try
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(2)))
            {
                Kill(KillReason.None);
                _process.WaitForExit(TimeSpan.FromSeconds(2));
            }

            // The pipe's end comes when the worker's last lines are read: on a loaded machine (run queue 25-45 on 2 cores)
            // the reader took longer than 500 ms, and a start failure lost the line that said why ("could not load
            // 'Brigade, …'"). Only a process the worker started and left holding its stderr makes this wait its whole bound.
            _stderr.WaitForEnd(TimeSpan.FromSeconds(3));
            if (_process.HasExited)
            {
                (exitCode, signal) = WorkerExit.Interpret(_process.ExitCode);
                RemoveIpcFiles();
            }
        }
        catch (InvalidOperationException)
        {
            // Disposed under us: the engine was disposed, which KillReason says.
        }

        return new WorkerExit(Pid, KillReason, exitCode, signal, _stderr.Snapshot()) { Fatal = _fatal };
    }

    /// <summary>Waits briefly for the worker to exit: tells a dying worker's torn frame from a live worker's garbage.</summary>
    public bool ExitsWithin(TimeSpan timeout)
    {
        try
        {
            return _process.WaitForExit(timeout);
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Ends the worker gracefully: it exits when its channel closes; it is killed if it lingers.</summary>
    public void Retire()
    {
        try
        {
            lock (_writeGate)
            {
                _toWorker.Dispose();
            }
        }
        catch (IOException)
        {
        }

        _ = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(KillReason.None);
            }

            Dispose();
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Live.TryRemove(this, out _);
        lock (_watchdogGate)
        {
            // Under the gate: a cancellation on another thread may be setting the timer.
            _watchdog.Dispose();
        }

        if (!HasExited)
        {
            Kill(KillReason.Disposed);
        }

        if (Volatile.Read(ref _ipcFilesRemoved) == 0)
        {
            if (HasExited)
            {
                RemoveIpcFiles();
            }
            else
            {
                // Killed a moment ago: its death is seen from /proc, since the Process (and its Exited) goes now.
                _ = Task.Run(RemoveIpcFilesOnceDeadAsync);
            }
        }

        _process.Dispose();
    }

    // Once the worker's death is seen: removes its runtime's files, once (never throws; nothing while it runs).
    private void RemoveIpcFiles()
    {
        if (Interlocked.Exchange(ref _ipcFilesRemoved, 1) == 0)
        {
            _ = RuntimeIpcFiles.RemoveAfterKill(Pid, _startTime, _temporaryDirectory);
        }
    }

    // Waits (at most 10 s; SIGKILL takes moments) until /proc says the worker is dead (a zombie or reaped), then
    // removes its files.
    private async Task RemoveIpcFilesOnceDeadAsync()
    {
        for (var i = 0; i < 200 && IsRunning(); i++)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        if (!IsRunning())
        {
            RemoveIpcFiles();
        }

        bool IsRunning() => RuntimeIpcFiles.ReadStat(Pid, out var gone) is { } stat && !gone && stat.StartTime == _startTime && stat.State is not ('Z' or 'X');
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref s_exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
            {
                var workers = Live.Keys.ToArray();
                foreach (var worker in workers)
                {
                    worker.Kill(KillReason.Disposed);
                }

                // Their runtimes' files are removed once they are seen dead: a moment each, at most 1 s in all.
                var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
                foreach (var worker in workers)
                {
                    if (worker.ExitsWithin(TimeSpan.FromTicks(Math.Max(0, (until - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency))))
                    {
                        worker.RemoveIpcFiles();
                    }
                }
            };
        }
    }
}
