namespace Brigade.Doctor.Analysis;

/// <summary>
/// Recognizes the blocking APIs of the base class library (and Brigade's primitives) by the frames they leave on a
/// blocked thread's stack. The outermost recognized frame before the application's code decides: <c>Task.Result</c>
/// blocks in <c>ManualResetEventSlim.Wait</c>, which blocks in <c>Monitor.Wait</c>, and the thread waits for the task.
/// </summary>
internal static class WaitRule
{
    /// <summary>The API of a <c>Monitor.TryEnter</c> with a timeout.</summary>
    public const string TimedMonitorEnter = "Monitor.TryEnter";

    /// <summary>The API of a <c>Lock.TryEnter</c> with a timeout.</summary>
    public const string TimedLockEnter = "Lock.TryEnter";

    /// <summary>The API of a <c>Task.Wait(TimeSpan)</c> or <c>Task.Wait(int)</c> (with or without a token).</summary>
    public const string TimedTaskWait = "Task.Wait(timeout)";

    /// <summary>The API of a <c>Task.WaitAll(tasks, timeout)</c> (with or without a token).</summary>
    public const string TimedTaskWaitAll = "Task.WaitAll(timeout)";

    /// <summary>The API of a <c>Process.WaitForExit</c>: a wait on another process, which no thread here can end.</summary>
    public const string ProcessWaitForExit = "Process.WaitForExit";

    /// <summary>The API shown for a write to a child process's redirected standard input (review 46).</summary>
    public const string ChildStandardInputWrite = "Process.StandardInput.Write";

    /// <summary>The API of a wait for a cancellation callback running on another thread (the registration's <c>Dispose</c>
    /// inlined into the application's frame: the frame left is the source's <c>WaitForCallbackToComplete</c>).</summary>
    public const string CancellationCallbackWait = "CancellationTokenRegistration.Dispose";

    /// <summary>The API of a named pipe's server waiting for a client (review 50).</summary>
    public const string NamedPipeWaitForConnection = "NamedPipeServerStream.WaitForConnection";

    /// <summary>The API of a named pipe's client waiting for a server (review 50).</summary>
    public const string NamedPipeConnect = "NamedPipeClientStream.Connect";

    /// <summary>Gets whether a wait in <paramref name="api"/> is a named pipe's connection: an I/O wait that, on Unix, blocks
    /// on a task or a sleep inside (an accept's task, a connect's retries), and is named by the pipe's API, not by those.</summary>
    public static bool IsNamedPipeConnect(string? api) => api is NamedPipeWaitForConnection or NamedPipeConnect;

    /// <summary>The API of a thread spinning in <c>SpinLock.Enter</c>.</summary>
    public const string SpinLockEnter = "SpinLock.Enter";

    /// <summary>The API of a thread spinning in <c>SpinLock.TryEnter</c> with a timeout (its frame seen: not inlined).</summary>
    public const string SpinLockTryEnter = "SpinLock.TryEnter";

    /// <summary>Review 52: the API of a thread in a busy wait, <c>SpinWait.SpinOnce</c> in a loop on a condition (or
    /// <c>SpinWait.SpinUntil</c>); caught in its <c>Thread.Sleep(1)</c>, it read "waits in Thread.Sleep".</summary>
    public const string SpinWaitSpin = "SpinWait.SpinOnce";

    /// <summary>The API of a <c>Thread.Sleep(Timeout.Infinite)</c> (or <c>-1</c>, or <c>Timeout.InfiniteTimeSpan</c>): a
    /// sleep that never wakes by itself.</summary>
    public const string SleepForever = "Thread.Sleep(Timeout.Infinite)";

    /// <summary>Gets whether a thread in <paramref name="wait"/> sleeps and will wake by itself (any sleep but
    /// <see cref="SleepForever"/>).</summary>
    public static bool SleepsAndWakes(ThreadWait? wait) => wait is { Kind: WaitKind.Sleep } w && w.Api != SleepForever;

    /// <summary>The name every <c>BlockingCollection&lt;T&gt;</c> type (and its iterator's) starts with.</summary>
    public const string BlockingCollectionType = "System.Collections.Concurrent.BlockingCollection";

    /// <summary>The API of a consumer blocked in <c>foreach (var x in collection.GetConsumingEnumerable())</c>.</summary>
    public const string BlockingCollectionConsuming = "BlockingCollection.GetConsumingEnumerable";

    /// <summary>Gets whether a wait in <paramref name="api"/> is a <c>BlockingCollection</c>'s <c>Add</c> or <c>TryAdd</c>
    /// (waiting for room in a full bounded collection).</summary>
    public static bool IsBlockingAdd(string? api) => api is "BlockingCollection.Add" or "BlockingCollection.TryAdd";

    /// <summary>Gets whether a wait in <paramref name="api"/> is a <c>BlockingCollection</c>'s <c>Take</c>, <c>TryTake</c> or
    /// consuming enumeration (waiting for an item in an empty collection).</summary>
    public static bool IsBlockingTake(string? api) => api is "BlockingCollection.Take" or "BlockingCollection.TryTake" or BlockingCollectionConsuming;

    /// <summary>The API of a wait for a type's static constructor running on another thread.</summary>
    public const string TypeInitialization = "type initialization";

    /// <summary>Gets whether a wait in <paramref name="api"/> is known to end by itself when its timeout expires: its
    /// owner is named, but it is no edge of the wait-for graph.</summary>
    public static bool IsTimed(string api) => api is TimedTaskWait or TimedTaskWaitAll or TimedLegacyReaderWriterLock;

    /// <summary>Doctor67: the API of a legacy <c>ReaderWriterLock</c>'s <c>AcquireReaderLock</c>, <c>AcquireWriterLock</c> or
    /// <c>UpgradeToWriterLock</c> whose caller passes a timeout other than <c>Timeout.Infinite</c> (each takes one).</summary>
    public const string TimedLegacyReaderWriterLock = "ReaderWriterLock (timeout)";

    /// <summary>Doctor67: whether a wait is on a legacy <c>System.Threading.ReaderWriterLock</c>.</summary>
    public static bool IsLegacyReaderWriterLock(string? api) => api?.StartsWith("ReaderWriterLock.", StringComparison.Ordinal) == true;

    /// <summary>Gets whether a wait in <paramref name="api"/> may have a timeout that the dump cannot show: on .NET 10
    /// <c>Monitor.TryEnter(x, ms)</c> reaches the same frames with any ms, <c>Timeout.Infinite</c> included (the value goes
    /// to native code). Such a wait is an edge of a <em>possible</em> deadlock.</summary>
    public static bool TimeoutUnknown(string api) => api is TimedMonitorEnter or TimedLockEnter or SpinLockTryEnter;

    /// <summary>Review 72: the start of the detail of a <c>TryEnter</c> whose caller passes a finite literal timeout.</summary>
    internal const string FiniteTryEnterMarker = "with a timeout of ";

    /// <summary>Review 72: the detail of a <c>Monitor.TryEnter</c> or <c>Lock.TryEnter</c> whose caller passes a finite literal
    /// timeout (<c>TryEnter(other, 20)</c>, read from its IL): it gives up then.</summary>
    internal static string FiniteTryEnterDetail(IReadOnlyList<long> ms) =>
        $"{FiniteTryEnterMarker}{string.Join(" or ", ms.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)))} ms, written at the call: it gives up then";

    /// <summary>Review 72: whether a wait is a <c>TryEnter</c> whose timeout is a finite literal at its call: it gives up.</summary>
    public static bool GivesUp(ThreadWait? wait) =>
        wait is { } w && TimeoutUnknown(w.Api) && w.Detail?.StartsWith(FiniteTryEnterMarker, StringComparison.Ordinal) == true;

    /// <summary>Gets whether a <c>Task.Wait</c> frame's signature takes a timeout: <c>Wait(Int32[, CancellationToken])</c>
    /// or <c>Wait(TimeSpan[, CancellationToken])</c>. <c>Wait()</c> and <c>Wait(CancellationToken)</c> do not.</summary>
    public static bool IsTimedTaskWaitSignature(string? signature) => IsTimeoutParameter(signature, 0);

    /// <summary>Gets whether a <c>Task.WaitAll</c> frame's signature takes a timeout after the tasks:
    /// <c>WaitAll(Task[], Int32[, CancellationToken])</c> or <c>WaitAll(Task[], TimeSpan)</c>.</summary>
    public static bool IsTimedTaskWaitAllSignature(string? signature) => IsTimeoutParameter(signature, 1);

    private static bool IsTimeoutParameter(string? signature, int index)
    {
        var open = signature?.IndexOf('(', StringComparison.Ordinal) ?? -1;
        if (signature is null || open < 0)
        {
            return false;
        }

        var parameters = signature[(open + 1)..].TrimEnd(')').Split(',');
        var parameter = parameters.Length > index ? parameters[index].Trim() : "";
        return parameter is "Int32" or "System.Int32" or "int" or "TimeSpan" or "System.TimeSpan";
    }

    public static (WaitKind Kind, string Api)? Match(string type, string method)
    {
        switch (type)
        {
            case "System.Threading.Monitor":
                return method switch
                {
                    "Enter_Slowpath" or "ReliableEnter" or "Enter" => (WaitKind.Monitor, "Monitor.Enter"),

                    // Monitor.TryEnter(obj, timeout): the timeout may be finite (it gives up) or Timeout.Infinite: the same frames.
                    "TryEnter_Slowpath" or "TryEnter" or "ReliableEnterTimeout" => (WaitKind.Monitor, TimedMonitorEnter),
                    "Wait" or "ObjWait" => (WaitKind.MonitorWait, "Monitor.Wait"),
                    _ => null,
                };
            case "System.Threading.Lock":
                return method switch
                {
                    "TryEnterSlow" or "EnterAndGetCurrentThreadId" or "Enter" or "EnterScope" => (WaitKind.Lock, "Lock.Enter"),
                    "TryEnter" or "TryEnter_Outlined" => (WaitKind.Lock, TimedLockEnter),
                    _ => null,
                };
            case "System.Threading.ReaderWriterLock":
                // Doctor67: the legacy lock (not the Slim one) waits on its own events, read as events with no owner.
                return method switch
                {
                    "AcquireWriterLock" or "UpgradeToWriterLock" => (WaitKind.ReaderWriterLockWrite, $"ReaderWriterLock.{method}"),
                    "AcquireReaderLock" => (WaitKind.ReaderWriterLockRead, "ReaderWriterLock.AcquireReaderLock"),
                    _ => null,
                };
            case "System.Threading.ReaderWriterLockSlim":
                if (method.Contains("UpgradeableReadLock", StringComparison.Ordinal))
                {
                    return (WaitKind.ReaderWriterLockUpgrade, "ReaderWriterLockSlim.EnterUpgradeableReadLock");
                }

                if (method.Contains("WriteLock", StringComparison.Ordinal))
                {
                    return (WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock");
                }

                return method.Contains("ReadLock", StringComparison.Ordinal) ? (WaitKind.ReaderWriterLockRead, "ReaderWriterLockSlim.EnterReadLock") : null;
            case "System.Threading.Thread":
                return method switch
                {
                    "Join" or "JoinInternal" => (WaitKind.ThreadJoin, "Thread.Join"),
                    "Sleep" or "SleepInternal" => (WaitKind.Sleep, "Thread.Sleep"),
                    _ => null,
                };
            case "System.Threading.SpinWait":
                // Review 52: a spin on a condition (a volatile flag) yields and sleeps 1 ms now and then: caught in either,
                // it is the spin the program wrote, not a sleep. The lock types that spin inside (SpinLock, SemaphoreSlim,
                // Monitor, ManualResetEventSlim) are outer frames and match after this one, so they keep their own names.
                return method is "SpinOnce" or "SpinOnceCore" or "SpinUntil" ? (WaitKind.Sleep, SpinWaitSpin) : null;
            case "System.GC":
                // Review 45: blocks until the finalizer thread has run the finalizers queued so far.
                return method is "WaitForPendingFinalizers" or "_WaitForPendingFinalizers" ? (WaitKind.PendingFinalizers, "GC.WaitForPendingFinalizers") : null;
            case "System.Threading.SpinLock":
                // Enter(ref bool) calls ContinueTryEnter(Timeout.Infinite, ...) when the lock is taken; it spins, yields and
                // sleeps (SpinWait's Thread.Sleep(1)), so the thread is caught in Sleep or running, never in a wait.
                return method switch
                {
                    "Enter" or "ContinueTryEnter" or "ContinueTryEnterWithThreadTracking" => (WaitKind.SpinLock, SpinLockEnter),
                    "TryEnter" => (WaitKind.SpinLock, SpinLockTryEnter),
                    _ => null,
                };
            case "System.Threading.SemaphoreSlim":
                return method is "Wait" or "WaitCore" or "WaitUntilCountOrTimeout" ? (WaitKind.SemaphoreSlim, "SemaphoreSlim.Wait") : null;
            case "System.Threading.ManualResetEventSlim":
                return method == "Wait" ? (WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait") : null;

            // Both wait on a ManualResetEventSlim inside: named by the API the program called.
            case "System.Threading.Barrier":
                return method == "SignalAndWait" ? (WaitKind.ManualResetEventSlim, "Barrier.SignalAndWait") : null;
            case "System.Threading.CountdownEvent":
                return method == "Wait" ? (WaitKind.ManualResetEventSlim, "CountdownEvent.Wait") : null;
            case "System.Threading.WaitHandle":
                return method switch
                {
                    "WaitOne" or "WaitOneNoCheck" or "WaitOneCore" => (WaitKind.WaitHandle, "WaitHandle.WaitOne"),
                    "WaitAny" or "WaitAll" or "WaitMultiple" or "WaitMultipleIgnoringSyncContext" => (WaitKind.WaitHandle, $"WaitHandle.{(method == "WaitAll" ? "WaitAll" : "WaitAny")}"),
                    _ => null,
                };
            case "System.Threading.Tasks.Task":
                return method switch
                {
                    "Wait" or "InternalWait" or "InternalWaitCore" or "SpinThenBlockingWait" or "SpinWait" => (WaitKind.Task, "Task.Wait()"),
                    "WaitAll" or "WaitAllCore" or "WaitAllBlockingCore" => (WaitKind.Task, "Task.WaitAll"),
                    "WaitAny" or "WaitAnyCore" => (WaitKind.Task, "Task.WaitAny"),
                    _ => null,
                };
            case "System.Runtime.CompilerServices.InitHelpers":
                // .NET 9 and later: the first access to a type's statics (or a call) runs its static constructor through
                // InitClassSlow; a thread whose innermost frames are these, with no .cctor frame above them, waits in the
                // runtime for the type's initialization lock, held by the thread running the static constructor.
                return method == "InitClassSlow" ? (WaitKind.TypeInitializer, TypeInitialization) : null;
            case "System.Threading.CancellationTokenSource+Registrations":
                // CancellationTokenRegistration.Dispose (and CancellationTokenSource's own waits for a callback) spin, then
                // sleep, until the callback that Cancel is running on another thread returns: that thread owns the wait.
                return method == "WaitForCallbackToComplete" ? (WaitKind.CancellationCallback, CancellationCallbackWait) : null;
            case "System.Diagnostics.Process":
                // WaitForExit blocks in a wait handle that only the child's exit sets: show the process, not the handle.
                return method is "WaitForExit" or "WaitForExitCore" ? (WaitKind.WaitHandle, ProcessWaitForExit) : null;
            case "System.Console":
                return method is "ReadLine" or "ReadKey" or "Read" ? (WaitKind.IO, $"Console.{method}") : null;

            // Review 45: Console.ReadKey (and ReadLine) from a terminal, the Console frame inlined: the reader's own frames.
            case "System.IO.StdInReader":
                return method is "ReadLine" or "ReadKey" or "Read" ? (WaitKind.IO, $"Console.{method}") : null;
            case "Interop+Sys":
                return method is "Read" or "ReadStdin" or "ReadV" or "PRead" or "PReadV" or "Receive" or "ReceiveMessage" or "Accept" or "Connect" or "Poll"
                    or "WaitForSocketEvents" or "Write" or "Send" or "SendMessage" or "Select"
                    ? (WaitKind.IO, $"I/O ({method})")
                    : null;
            // Review 50: on Unix a named pipe is a Unix domain socket and WaitForConnection blocks on its AcceptAsync's task,
            // so the thread showed as GetAwaiter().GetResult() on a ValueTask<Socket>, "no thread runs its code now".
            case "System.IO.Pipes.NamedPipeServerStream":
                return method is "WaitForConnection" ? (WaitKind.IO, NamedPipeWaitForConnection) : null;
            case "System.IO.Pipes.NamedPipeClientStream":
                return method is "Connect" or "ConnectInternal" ? (WaitKind.IO, NamedPipeConnect) : null;
            case "System.Net.Sockets.Socket":
                return method is "Receive" or "ReceiveFrom" or "Accept" or "Connect" or "Send" or "Poll" or "Select"
                    ? (WaitKind.IO, $"Socket.{method}")
                    : null;
        }

        if (type.StartsWith(BlockingCollectionType, StringComparison.Ordinal))
        {
            // Add and Take wait in the collection's SemaphoreSlims (free and occupied nodes): named by what the program called.
            if (type.Contains("<GetConsumingEnumerable>", StringComparison.Ordinal))
            {
                return method == "MoveNext" ? (WaitKind.SemaphoreSlim, BlockingCollectionConsuming) : null;
            }

            return method switch
            {
                "Add" or "TryAddWithNoTimeValidation" => (WaitKind.SemaphoreSlim, "BlockingCollection.Add"),
                "TryAdd" => (WaitKind.SemaphoreSlim, "BlockingCollection.TryAdd"),
                "Take" or "TryTakeWithNoTimeValidation" => (WaitKind.SemaphoreSlim, "BlockingCollection.Take"),
                "TryTake" => (WaitKind.SemaphoreSlim, "BlockingCollection.TryTake"),
                _ => null,
            };
        }

        if (type.StartsWith("System.Threading.Tasks.Task<", StringComparison.Ordinal))
        {
            return method is "GetResultCore" or "get_Result" ? (WaitKind.Task, ".Result") : null;
        }

        if (type.StartsWith("System.Runtime.CompilerServices.TaskAwaiter", StringComparison.Ordinal)
            || type.StartsWith("System.Runtime.CompilerServices.ConfiguredTaskAwaitable", StringComparison.Ordinal)
            || type.StartsWith("System.Runtime.CompilerServices.ValueTaskAwaiter", StringComparison.Ordinal))
        {
            return method is "GetResult" or "HandleNonSuccessAndDebuggerNotification" or "ValidateEnd" ? (WaitKind.Task, "GetAwaiter().GetResult()") : null;
        }

        if (type.StartsWith("Brigade.Synchronization.", StringComparison.Ordinal)
            && (method is "WaitBlocking" or "AcquireContended" or "AcquireCore" || method.StartsWith("Acquire", StringComparison.Ordinal) || method.StartsWith("TryAcquire", StringComparison.Ordinal)))
        {
            return (WaitKind.BrigadePrimitive, $"{type["Brigade.Synchronization.".Length..]}.{method}");
        }

        return null;
    }

    /// <summary>Gets whether a frame is library code rather than the application's: .NET's own, or Brigade's (its primitives, the doctor).</summary>
    public static bool IsFrameworkType(string type, string? modulePath)
    {
        if (type.StartsWith("System.", StringComparison.Ordinal) || type.StartsWith("Microsoft.", StringComparison.Ordinal)
            || type.StartsWith("Internal.", StringComparison.Ordinal) || type.StartsWith("Interop", StringComparison.Ordinal))
        {
            return true;
        }

        var module = Path.GetFileName(modulePath);
        return module is "Brigade.dll" or "Brigade.Doctor.dll";
    }

    /// <summary>Gets whether an object of this type can be what a wait of <paramref name="kind"/> waits on.</summary>
    public static bool IsTarget(WaitKind kind, Microsoft.Diagnostics.Runtime.ClrType type) => kind switch
    {
        // Any object can be a lock, a string literal (one object for the whole process) or a typeof(T) included.
        WaitKind.Monitor or WaitKind.MonitorWait => true,
        WaitKind.Lock => type.Name == "System.Threading.Lock",
        WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead or WaitKind.ReaderWriterLockUpgrade => type.Name is "System.Threading.ReaderWriterLockSlim" or "System.Threading.ReaderWriterLock",
        WaitKind.ThreadJoin => type.Name == "System.Threading.Thread",
        WaitKind.CancellationCallback => type.Name == "System.Threading.CancellationTokenSource+Registrations",
        WaitKind.Task => DerivesFrom(type, "System.Threading.Tasks.Task"),
        WaitKind.SemaphoreSlim => type.Name == "System.Threading.SemaphoreSlim",
        WaitKind.ManualResetEventSlim => type.Name is "System.Threading.ManualResetEventSlim" or "System.Threading.Barrier" or "System.Threading.CountdownEvent",
        WaitKind.WaitHandle => DerivesFrom(type, "System.Threading.WaitHandle") || type.Name is "Microsoft.Win32.SafeHandles.SafeWaitHandle" or "System.Diagnostics.Process",
        WaitKind.BrigadePrimitive => type.Name?.StartsWith("Brigade.Synchronization.Detecting", StringComparison.Ordinal) == true,

        // A SpinLock is a struct: the spinning frame roots (as an interior pointer) the object whose field it is, or its box.
        WaitKind.SpinLock => type.Name == SpinLockType || (!type.IsValueType && type.Fields.Any(f => f.Type?.Name == SpinLockType)),
        _ => false,
    };

    /// <summary>The name of the <c>SpinLock</c> struct.</summary>
    public const string SpinLockType = "System.Threading.SpinLock";

    public static bool DerivesFrom(Microsoft.Diagnostics.Runtime.ClrType? type, string baseName)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == baseName)
            {
                return true;
            }
        }

        return false;
    }
}
