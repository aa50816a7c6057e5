using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>
/// The worker's executor thread: prepares work types, runs batches and releases instances, one command at a time,
/// in the order the host sent them. The reader thread only queues commands and records cancellations, so it is
/// always free to notice that the host has gone.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as the worker process.")]
internal sealed class Executor(WorkerChannel channel, IWorkResolver resolver, string? fault)
{
    // Commands are a class, not a value tuple: BlockingCollection's code for reference types is precompiled in the
    // framework, while an instantiation over a tuple would be JIT-compiled in every cold worker (25 methods).
    private readonly BlockingCollection<Command> _commands = [];
    private readonly Dictionary<int, (BatchExecutor Executor, BatchContext Context, CultureInfo? Culture, CultureInfo? UICulture)> _work = [];

    // Culture names this worker does not have, said once each on standard error.
    private readonly HashSet<string> _missingCultures = [];

    // Guards _running and _cancellation: which batch runs now and the token its async work sees.
    private readonly Lock _cancelGate = new();
    private long _running = -1;
    private CancellationTokenSource _cancellation = new();

    // Batch ids grow (int64, from 1: they never wrap), so one number records every cancelled batch, including one not
    // started yet.
    private long _cancelledUpTo = -1;
    private bool _faultDone;

    // A batch let go of a large result's buffers: collect once when no command waits (WorkerMemory.GiveBack).
    private bool _giveBackWhenIdle;

    // lib64: a command of this size or more (a batch of large inputs) leaves its payload and what was decoded from it as
    // garbage on the large object heap, which an idle worker, allocating nothing, never collected (an idle worker held
    // 435-494 MB after 20 inputs of 10 MB). Collected once the worker has been idle for KeepIdle, as a large result's are.
    private const int LargeCommand = 4 * 1024 * 1024;
    private bool _largeCommandRan;

    public void Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "brigade-worker-executor" };
        thread.Start();
    }

    public void Post(MessageType type, byte[] payload) => _commands.Add(new Command(type, payload));

    public void Cancel(long batchId)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _cancelledUpTo);
        }
        while (batchId > current && Interlocked.CompareExchange(ref _cancelledUpTo, batchId, current) != current);

        CancellationTokenSource? toCancel = null;
        lock (_cancelGate)
        {
            if (_running == batchId)
            {
                toCancel = _cancellation;
            }
        }

        // Outside the lock: cancelling runs the work's own callbacks.
        toCancel?.Cancel();
    }

    private bool IsCancelled(long batchId) => batchId <= Volatile.Read(ref _cancelledUpTo);

    private CancellationToken CurrentToken()
    {
        lock (_cancelGate)
        {
            return _cancellation.Token;
        }
    }

    private void Loop()
    {
        try
        {
            while (true)
            {
                if (!_commands.TryTake(out var command))
                {
                    command = WaitIdle();
                }

                Execute(command);

                // This loop never returns, so it may run as tier-0 code, which keeps every local alive to the method's end:
                // the command that ran would stay reachable from here through the next WaitIdle and its collection.
                command = null;
            }
        }
        catch (ProtocolException e)
        {
            channel.TrySendFatal($"protocol error: {e.Message}");
            ParentWatch.Exit(2);
        }
        catch (IOException)
        {
            // The host closed the channel while we were writing: it is gone or done with us.
            ParentWatch.Exit(0);
        }
    }

    private void Execute(Command command)
    {
        var (type, payload) = command;
        _largeCommandRan |= payload.Length >= LargeCommand;
        var reader = new PayloadReader(payload);
        switch (type)
        {
            case MessageType.Prepare:
                Prepare(ref reader);
                break;
            case MessageType.Batch:
                RunBatch(ref reader);
                break;
            case MessageType.Release:
                Release(reader.ReadInt32());
                break;
            default:
                throw new ProtocolException($"unexpected {type} for the executor");
        }
    }

    // How long an idle worker keeps a values' buffer grown for large results (under 64 MiB) for the run's next ones: the
    // host's frame reader waits as long.
    private static readonly TimeSpan KeepIdle = TimeSpan.FromSeconds(2);

    // Idle: the moment to give back what a large result's buffers held (a collection costs nothing here that an item waits
    // for), never for ordinary results. A huge buffer is let go at once; a smaller one grown for large results is kept
    // while they keep coming (review 63: a fresh 30 MB buffer per 10 MB string result) and let go once the worker has
    // been idle for KeepIdle: an idle worker never holds a large buffer for long.
    private Command WaitIdle()
    {
        if (_giveBackWhenIdle)
        {
            _giveBackWhenIdle = false;
            _largeCommandRan = false;
            ReleaseBuffers();
            WorkerMemory.GiveBack();
        }
        else if (HoldsLargeBuffer() || _largeCommandRan)
        {
            if (_commands.TryTake(out var next, KeepIdle))
            {
                return next;
            }

            if (ReleaseBuffers() | _largeCommandRan)
            {
                _largeCommandRan = false;
                WorkerMemory.GiveBack();
            }
        }

        return _commands.Take();
    }

    private bool HoldsLargeBuffer()
    {
        foreach (var work in _work.Values)
        {
            if (work.Executor.HoldsLargeBuffer)
            {
                return true;
            }
        }

        return false;
    }

    private bool ReleaseBuffers()
    {
        var released = false;
        foreach (var work in _work.Values)
        {
            released |= work.Executor.ReleaseIdle();
        }

        return released;
    }

    private void Prepare(ref PayloadReader reader)
    {
        var workId = reader.ReadInt32();
        var typeName = reader.ReadString() ?? "";
        var flushInterval = TimeSpan.FromTicks(reader.ReadInt64());
        var flags = reader.ReadByte();
        var policy = (flags & WireFormat.PrepareItemPolicy) != 0 ? PolicyFrames.Read(ref reader) : null;
        var (culture, uiCulture) = (flags & WireFormat.PrepareCulture) != 0 ? Cultures(RunCulture.Read(ref reader)) : (null, null);

        // The work type's constructor runs under the run's culture too, as it would in the caller's flow.
        UseCulture(culture, uiCulture);
        string? errorType = null;
        string? error = null;
        try
        {
            var remote = resolver.Create(typeName, policy);
            if (remote is null)
            {
                errorType = "WorkTypeNotFound";
                error = resolver.NotFound(typeName);
            }
            else
            {
                var executor = new BatchExecutor(remote);
                var context = new BatchContext(
                    channel,
                    (long)(flushInterval.TotalSeconds * Stopwatch.Frequency),
                    (flags & WireFormat.PrepareReportMemory) != 0,
                    IsCancelled,
                    CurrentToken);
                if (_work.Remove(workId, out var previous))
                {
                    previous.Executor.Dispose();
                }

                _work[workId] = (executor, context, culture, uiCulture);
            }
        }
        catch (Exception e)
        {
            var root = e;
            while (root is TargetInvocationException { InnerException: { } inner })
            {
                root = inner;
            }

            errorType = root.GetType().FullName;
            error = root.Message;
        }

        var frame = new FrameBuffer(256);
        frame.BeginFrame(MessageType.Prepared);
        frame.WriteInt32(workId);
        frame.WriteByte(error is null ? (byte)1 : (byte)0);
        frame.WriteString(errorType);
        frame.WriteString(error);
        frame.EndFrame();
        channel.Write(frame);
    }

    private void RunBatch(ref PayloadReader reader)
    {
        var workId = reader.ReadInt32();
        var batchId = reader.ReadInt64();
        var flags = reader.ReadByte();
        var count = reader.ReadInt32();
        if (!_work.TryGetValue(workId, out var work))
        {
            throw new ProtocolException($"batch {batchId} names work id {workId}, which was never prepared");
        }

        if (fault is not null && !_faultDone)
        {
            _faultDone = true;
            InjectFault(fault);
        }

        lock (_cancelGate)
        {
            if (_cancellation.IsCancellationRequested)
            {
                _cancellation = new CancellationTokenSource();
            }

            _running = batchId;
        }

        // Set on the executor thread before the batch: an async item's continuations capture it with the execution context.
        UseCulture(work.Culture, work.UICulture);
        try
        {
            work.Executor.Run(batchId, flags, count, ref reader, work.Context);
        }
        finally
        {
            lock (_cancelGate)
            {
                _running = -1;
            }

            _giveBackWhenIdle |= work.Executor.TakeLargeRelease();
        }
    }

    private static void UseCulture(CultureInfo? culture, CultureInfo? uiCulture)
    {
        if (culture is not null)
        {
            CultureInfo.CurrentCulture = culture;
        }

        if (uiCulture is not null)
        {
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }

    private (CultureInfo Culture, CultureInfo UICulture) Cultures(RunCulture names) => (Culture(names.Culture), Culture(names.UICulture));

    // A culture this worker lacks (invariant globalization, no ICU data for it) must not fail the run: its items run under
    // the invariant culture, and the worker says so once.
    private CultureInfo Culture(string name)
    {
        try
        {
            return CultureInfo.GetCultureInfo(name);
        }
        catch (CultureNotFoundException)
        {
            if (_missingCultures.Add(name))
            {
                // The mode is a runtimeconfig switch or, as the host passes it, an environment variable.
                var invariant = (AppContext.TryGetSwitch("System.Globalization.Invariant", out var on) && on)
                    || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT") is "1" or "true";
                var why = invariant ? "this worker runs with invariant globalization" : "this worker has no data for it";
                Console.Error.WriteLine($"brigade worker: culture '{name}' is not available here ({why}); items run under the invariant culture");
            }

            return CultureInfo.InvariantCulture;
        }
    }

    private void Release(int workId)
    {
        if (_work.Remove(workId, out var work))
        {
            // A values' buffer kept for large results is given back when idle, as if the work type were still prepared.
            _giveBackWhenIdle |= work.Executor.ReleaseIdle();
            try
            {
                work.Executor.Dispose();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"brigade worker: disposing the work instance failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    // Fault injection for the host's protocol tests (BRIGADE_WORKER_FAULT); never set in normal use.
    private void InjectFault(string kind)
    {
        switch (kind)
        {
            case "bad-frame":
                channel.WriteRaw([1, 0, 0, 0, 200]);
                break;
            case "oversized-frame":
                channel.WriteRaw([0xFF, 0xFF, 0xFF, 0x7F, (byte)MessageType.Results]);
                break;
            case "truncated-frame":
                channel.WriteRaw([100, 0, 0, 0, (byte)MessageType.Results, 1, 2, 3, 4]);
                channel.Close();
                Thread.Sleep(Timeout.Infinite);
                break;
            default:
                break;
        }
    }

    private sealed record Command(MessageType Type, byte[] Payload);
}
