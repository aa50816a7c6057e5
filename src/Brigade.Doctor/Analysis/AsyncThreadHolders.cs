using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.Diagnostics.Runtime;
using static Brigade.Doctor.Analysis.IlReader;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// The threads that took a <c>SemaphoreSlim</c>'s slot synchronously: a method of the application on the thread's stack
/// calls <c>Wait</c> (any overload) at an IL offset before the call the frame is in, with no <c>Release</c> of the same
/// semaphore in between, or calls a method of its own module that does so and returns without a <c>Release</c> (one level
/// down: the usual sync lock wrapper), and has not since called <c>Release</c> or <c>Dispose()</c> (on the local it stored
/// the wrapper's result to, when it did: <c>using (Lock()) { ... }</c> is over). The IL and metadata are read from the
/// dump's own memory (the build the dump ran). A receiver loaded from a static field is that field's semaphore; from a
/// field of <c>this</c>, the semaphores that field holds in the objects that frame roots (all of them: the frame's
/// <c>this</c> is not told apart from its other arguments), else any semaphore held in a field of that name; from a local
/// or a parameter, the semaphores (through the same fields) that the frame roots, else (none rooted) any. A wrapper's
/// receiver is read in the caller's terms: a static as it is, one rooted at the wrapper's <c>this</c> or a parameter
/// through the caller's argument at that call; a wrapper's local, or anything else: any semaphore (it cannot be pinned
/// down, so none is excluded). A <c>Release</c> whose receiver cannot be read releases nothing. Evidence, not proof, as
/// for flows (<see cref="AsyncFlows.MayHold"/>): IL order is not the path taken. Used only to say less: a slot held by a
/// thread that can still run is not leaked, and a cycle through it is not one of flows.
/// </summary>
internal sealed class AsyncThreadHolders(ClrAppDomain? domain, IReadOnlyList<ThreadScan>? scans = null, SourceLines? lines = null)
{
    private readonly Dictionary<int, List<Taken>> _taken = [];
    private readonly Dictionary<ClrModule, MetadataReader?> _metadata = [];
    private readonly Dictionary<(ClrModule, int), (string Name, List<Receiver?> Receivers)?> _helpers = [];
    private readonly Dictionary<(ClrModule, int, string, string), (string Name, List<Receiver> Receivers)?> _releasers = [];

    /// <summary>A synchronous <c>Wait</c> on a thread's stack not released since: the semaphores it may be (none known:
    /// <see cref="Name"/>'s field, or any when <see cref="Any"/>), and where (the method, or the helper, that took it).</summary>
    private sealed record Taken(List<ClrObject> Semaphores, string? Name, bool Any, string At, bool Exact = true)
    {
        /// <summary>Gets whether the slot was asked for with <c>WaitAsync(timeout)</c> (or <c>WaitAsync(timeout, token)</c>),
        /// whose result, whether it got the slot, the dump does not keep: neither <see cref="May"/> nor
        /// <see cref="Surely"/>, only <see cref="SurelyIfGranted"/>.</summary>
        public bool Timed { get; init; }

        public bool May(SemaphoreInfo semaphore) => !Timed && (Any || Semaphores.Exists(s => s.Address == semaphore.Object.Address)
            || (Semaphores.Count == 0 && Name is { } name && semaphore.HeldIn == name));

        public bool Surely(SemaphoreInfo semaphore) => !Timed && SurelyIfGranted(semaphore);

        public bool SurelyIfGranted(SemaphoreInfo semaphore) => !Any && Exact && (Semaphores.Count == 1
            ? Semaphores[0].Address == semaphore.Object.Address
            : Semaphores.Count == 0 && Name is { } name && semaphore.HeldIn == name);
    }

    /// <summary>Whether <paramref name="thread"/>'s stack shows it may have taken a slot of <paramref name="semaphore"/>
    /// with <c>Wait</c> and not released it: on that semaphore, or on one that cannot be pinned down.</summary>
    public bool Holds(DiagnosedThread thread, SemaphoreInfo semaphore) => TakenBy(thread.ManagedThreadId).Exists(t => t.May(semaphore));

    /// <summary>Whether <paramref name="thread"/>'s stack shows it took a slot of this very <paramref name="semaphore"/>
    /// (its receiver read as that one semaphore, or as the field that holds it) and has not released it.</summary>
    public bool SurelyHolds(DiagnosedThread thread, SemaphoreInfo semaphore) => TakenBy(thread.ManagedThreadId).Exists(t => t.Surely(semaphore));

    /// <summary>Whether <paramref name="thread"/>'s stack shows a running async method past its <c>await</c> of this very
    /// <paramref name="semaphore"/>'s <c>WaitAsync(timeout)</c> with no <c>Release</c> of it on the way: it holds a slot if
    /// that wait returned true (the dump does not keep what it returned); where, or null.</summary>
    public string? TimedTakenAt(DiagnosedThread thread, SemaphoreInfo semaphore) =>
        TakenBy(thread.ManagedThreadId).Find(t => t.Timed && t.SurelyIfGranted(semaphore))?.At;

    /// <summary>Where <paramref name="thread"/> took (or may have taken) <paramref name="semaphore"/>'s slot: the method
    /// that called <c>Wait</c>, and whether the semaphore there is this one for sure; null when it did not.</summary>
    public (string At, bool Surely)? TakenAt(DiagnosedThread thread, SemaphoreInfo semaphore)
    {
        var taken = TakenBy(thread.ManagedThreadId);
        return taken.Find(t => t.Surely(semaphore)) is { } sure ? (sure.At, true)
            : taken.Find(t => t.May(semaphore)) is { } may ? (may.At, false)
            : null;
    }

    /// <summary>
    /// Review 59: where the innermost method of the application on <paramref name="scan"/>'s stack calls <c>Release</c> on
    /// this very <paramref name="semaphore"/> after the call it is in (its receiver read as that semaphore, or as the field
    /// that holds it): <c>lock (_gate) { _idle.Enqueue(c); _free.Release(); }</c> waiting for <c>_gate</c>. Null otherwise.
    /// Review 60: or calls, after it, a method of its own module that does (<c>lock (_gate) { _idle.Enqueue(c); Signal(); }</c>
    /// with <c>Signal() => _free.Release()</c>), its receiver read in the caller's terms as for a slot's wrapper (one level
    /// down, as <see cref="TakesAndReturns"/>); before, only a <c>Release</c> in the method itself was seen.
    /// </summary>
    public string? ReleasesAfter(ThreadScan scan, SemaphoreInfo semaphore) => ReleasesAfter(scan, semaphore, "SemaphoreSlim", "Release");

    /// <summary>Review 60: as <see cref="ReleasesAfter(ThreadScan, SemaphoreInfo)"/> for any of the synchronization objects
    /// a thread waits on without an owner: where the releaser's code calls <paramref name="method"/> (any overload) of
    /// <paramref name="typeName"/> (<c>System.Threading.</c> omitted) on this very object, held in <paramref name="target"/>:
    /// <c>Barrier.SignalAndWait</c> (a participant's arrival), <c>CountdownEvent.Signal</c>.</summary>
    public string? ReleasesAfter(ThreadScan scan, SemaphoreInfo target, string typeName, string method) =>
        ReleasesAfter(scan, target, typeName, method, $"System.Threading.{typeName}");

    /// <summary>Review 64: as <see cref="ReleasesAfter(ThreadScan, SemaphoreInfo, string, string)"/> for an object whose type
    /// is <paramref name="fullType"/> exactly (a generic instance: <c>BlockingCollection&lt;int&gt;</c>'s <c>Take</c>).</summary>
    public string? ReleasesAfter(ThreadScan scan, SemaphoreInfo target, string typeName, string method, string fullType) =>
        CallsOnAfter(scan, typeName, method, o => o.Type?.Name == fullType, taken => taken.Surely(target));

    /// <summary>
    /// Review 65b: where the innermost method of the application on <paramref name="scan"/>'s stack calls
    /// <c>EventWaitHandle.Set</c> after the call it is in on the very event whose <c>SafeWaitHandle</c> is
    /// <paramref name="handle"/> (a <c>WaitOne</c> roots only that handle, not the event): the receiver, read as one object
    /// deriving from <c>EventWaitHandle</c> (<c>ManualResetEvent</c>, <c>AutoResetEvent</c>), must hold
    /// <paramref name="handle"/> in its <c>_waitHandle</c> field. Null otherwise, and when the receiver cannot be read
    /// (a local the frame roots several events for, a parameter).
    /// </summary>
    public string? SetsAfter(ThreadScan scan, ClrObject handle) =>
        CallsOnAfter(scan, "EventWaitHandle", "Set", o => WaitRule.DerivesFrom(o.Type, "System.Threading.EventWaitHandle"),
            taken => taken is { Any: false, Exact: true, Timed: false, Semaphores: [var only] }
                && only.TryReadObjectField("_waitHandle", out var safe) && safe.Address == handle.Address);

    /// <summary>Review 66: as <see cref="SetsAfter(ThreadScan, ClrObject)"/> for any of several handles (a
    /// <c>WaitHandle.WaitAny</c> or <c>WaitAll</c> waits on all the handles of its array) and any kernel wait handle the
    /// application signals: <c>EventWaitHandle.Set</c>, or <c>Semaphore.Release</c> (<paramref name="typeName"/>,
    /// <paramref name="method"/>, on an object deriving from <paramref name="baseType"/>) whose <c>_waitHandle</c> is one of
    /// <paramref name="handles"/>.</summary>
    public string? SignalsAfter(ThreadScan scan, IReadOnlySet<ulong> handles, string typeName, string method, string baseType) =>
        CallsOnAfter(scan, typeName, method, o => WaitRule.DerivesFrom(o.Type, baseType),
            taken => taken is { Any: false, Exact: true, Timed: false, Semaphores: [var only] }
                && only.TryReadObjectField("_waitHandle", out var safe) && handles.Contains(safe.Address));

    /// <summary>
    /// Review 66: where a method of the application on <paramref name="scan"/>'s stack (any frame, innermost first) called
    /// <c>WaitOne()</c> (no timeout: it returned, so it acquired) on the very <c>Mutex</c> whose <c>SafeWaitHandle</c> is
    /// <paramref name="handle"/>, before the call that frame is in, with no <c>ReleaseMutex</c> on the same receiver between.
    /// A Mutex's owner is kept by the runtime's native wait subsystem (its PAL on Linux), not in the managed heap nor in
    /// anything the runtime's data-access library reads: this is the code's word, not the owner's record (IL order is not
    /// the path taken; a method it called may have released it). Null otherwise.
    /// </summary>
    public string? AcquiredBefore(ThreadScan scan, ClrObject handle)
    {
        foreach (var frame in scan.Frames.Where(f => !f.IsFramework))
        {
            try
            {
                if (frame.Frame.Method is not { Type: { } type } method || type.Module is not { } module || Metadata(module) is not { } md || Code(method) is not { } code)
                {
                    continue;
                }

                var current = method.GetILOffset(frame.Frame.InstructionPointer);
                if (current < 0)
                {
                    continue;
                }

                var app = new AppCode(frame, method, module, md, code, current);
                var waits = new List<(int Index, Receiver Receiver)>();
                var releases = new List<(int Offset, Receiver Receiver)>();
                for (var i = 0; i < code.Count && code[i].Offset < current; i++)
                {
                    if (code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not (var calleeType, var calleeName, var parameters, _, _)
                        || !(calleeType == "WaitHandle" && calleeName == "WaitOne" && parameters == 0 || calleeType == "Mutex" && calleeName == "ReleaseMutex")
                        || (Skip(md, code, i - 1, parameters) is { } last ? Load(md, code, last) : null) is not { } receiver)
                    {
                        continue;
                    }

                    if (calleeName == "WaitOne")
                    {
                        waits.Add((i, receiver));
                    }
                    else
                    {
                        releases.Add((code[i].Offset, receiver));
                    }
                }

                foreach (var (index, receiver) in waits)
                {
                    if (!releases.Exists(r => r.Offset > code[index].Offset && r.Receiver.Same(receiver, code, code[index].Offset, r.Offset))
                        && Resolve(module, receiver, () => frame.Roots, app.Name, o => WaitRule.DerivesFrom(o.Type, "System.Threading.Mutex")) is { Any: false, Exact: true, Semaphores: [var only] }
                        && only.TryReadObjectField("_waitHandle", out var safe) && safe.Address == handle.Address)
                    {
                        return Where(app, code[index].Offset);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
            {
                // An unreadable method body: no acquisition is known.
            }
        }

        return null;
    }

    /// <summary>The body of <see cref="ReleasesAfter(ThreadScan, SemaphoreInfo, string, string, string)"/> and
    /// <see cref="SetsAfter"/>: a call of <paramref name="method"/> of <paramref name="typeName"/> after the current one,
    /// directly or in a helper of the application, whose receiver, resolved to objects of which <paramref name="isType"/>
    /// holds, <paramref name="matches"/>.</summary>
    private string? CallsOnAfter(ThreadScan scan, string typeName, string method, Func<ClrObject, bool> isType, Func<Taken, bool> matches)
    {
        try
        {
            if (InnermostAppCode(scan) is not { } app)
            {
                return null;
            }

            var (frame, frameMethod, module, md, code, current) = app;
            var at = app.Name;
            for (var i = 0; i < code.Count; i++)
            {
                if (code[i].Offset <= current || code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not (var calleeType, var calleeName, var parameters, _, _)
                    || calleeType != typeName || calleeName != method || (Skip(md, code, i - 1, parameters) is { } last ? Load(md, code, last) : null) is not { } receiver)
                {
                    continue;
                }

                if (matches(Resolve(module, receiver, () => frame.Roots, at, isType)))
                {
                    return Where(app, code[i].Offset);
                }
            }

            for (var i = 0; i < code.Count; i++)
            {
                if (code[i].Offset <= current || code[i].Op is not (Call or CallVirt)
                    || MetadataTokens.EntityHandle((int)code[i].Operand) is not { Kind: HandleKind.MethodDefinition } handle
                    || Releases(module, md, (MethodDefinitionHandle)handle, typeName, method) is not { } helper)
                {
                    continue;
                }

                foreach (var inner in helper.Receivers)
                {
                    // `this.Signal()`: the helper's `this._free` is the caller's own field (arg 0 of an instance method is its this).
                    if (ThroughCall(md, code, i, inner) is { } through
                        && (through is { Slot: "arg 0", Path.Count: > 0 } && !IsStatic(md, frameMethod) ? through with { Slot = null } : through) is var receiver
                        && matches(Resolve(module, receiver, () => frame.Roots, at, isType)))
                    {
                        return $"{Where(app, code[i].Offset)}, in its call to {helper.Name},";
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            // An unreadable method body: no release is known.
        }

        return null;
    }

    /// <summary>Review 65b: whether the innermost method of the application on <paramref name="scan"/>'s stack calls
    /// <paramref name="method"/> of <paramref name="typeName"/> (its simple name), and at every such call the overload
    /// without arguments: <c>Loaded.WaitOne()</c>, not <c>WaitOne(timeout)</c>, whose frame the stack does not show (only
    /// <c>WaitOneNoCheck(Int32, ...)</c>, for both). False when it makes no such call or its body cannot be read.</summary>
    public bool CallsOnlyWithoutArguments(ThreadScan scan, string typeName, string method) => CallsOnlyWith(scan, typeName, method, 0);

    /// <summary>Review 66: as <see cref="CallsOnlyWithoutArguments"/> with <paramref name="parameters"/> parameters at every
    /// call: <c>WaitHandle.WaitAny(handles)</c>, not <c>WaitAny(handles, timeout)</c>.</summary>
    public bool CallsOnlyWith(ThreadScan scan, string typeName, string method, int parameters)
    {
        try
        {
            if (InnermostAppCode(scan) is not { } app)
            {
                return false;
            }

            var calls = app.Code.Where(i => i.Op is Call or CallVirt).Select(i => Callee(app.Md, i.Operand))
                .Where(c => c is { } callee && callee.Type == typeName && callee.Name == method).ToList();
            return calls.Count > 0 && calls.TrueForAll(c => c!.Value.Parameters == parameters);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Review 64b: where the innermost method of the application on <paramref name="scan"/>'s stack reads from this very
    /// <paramref name="channel"/> after the call it is in: one of <paramref name="reads"/> of <c>ChannelReader</c> on the
    /// channel's reader (held in a field or a local), or on <c>Reader</c> read from this channel in that method
    /// (<c>_channel.Reader.ReadAsync()</c>: the reader is another object than the channel, reached through a call). Null
    /// otherwise.
    /// </summary>
    public string? ReadsAfter(ThreadScan scan, ClrObject channel, IReadOnlyCollection<string> reads)
    {
        try
        {
            if (InnermostAppCode(scan) is not { } app || channel.Type?.Name is not { } channelType)
            {
                return null;
            }

            var (frame, _, module, md, code, current) = app;
            var channelReader = channel.TryReadObjectField("<Reader>k__BackingField", out var r) && r is { IsNull: false, IsValid: true, Type.Name: { } } ? r : default;
            int? readerFetched = null;
            for (var i = 0; i < code.Count; i++)
            {
                if (code[i].Offset <= current || code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not (var calleeType, var calleeName, var parameters, _, _))
                {
                    continue;
                }

                if (calleeType == "Channel" && calleeName == "get_Reader"
                    && (Skip(md, code, i - 1, parameters) is { } last ? Load(md, code, last) : null) is { } owner
                    && Resolve(module, owner, () => frame.Roots, app.Name, channelType).Surely(new SemaphoreInfo(channel, 0, 0)))
                {
                    readerFetched = i;
                }
                else if (calleeType == "ChannelReader" && reads.Contains(calleeName)
                    && (readerFetched is not null
                        || (!channelReader.IsNull && (Skip(md, code, i - 1, parameters) is { } held ? Load(md, code, held) : null) is { } receiver
                            && Resolve(module, receiver, () => frame.Roots, app.Name, channelReader.Type!.Name!).Surely(new SemaphoreInfo(channelReader, 0, 0)))))
                {
                    return Where(app, code[i].Offset);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            // An unreadable method body: no read is known.
        }

        return null;
    }

    /// <summary>
    /// Doctor67: where the innermost method of the application on <paramref name="scan"/>'s stack calls <c>Monitor.Pulse</c>
    /// or <c>PulseAll</c> after the call it is in on this very object (the static call's argument, read as the object or the
    /// field that holds it): <c>lock (Outer) { lock (Inner) { ready = true; Monitor.PulseAll(Inner); } }</c> waiting for
    /// <c>Outer</c>. Null otherwise.
    /// </summary>
    public string? PulsesAfter(ThreadScan scan, SemaphoreInfo target)
    {
        try
        {
            if (InnermostAppCode(scan) is not { } app || target.Object.Type?.Name is not { } type)
            {
                return null;
            }

            var (frame, _, module, md, code, current) = app;
            for (var i = 0; i < code.Count; i++)
            {
                if (code[i].Offset <= current || code[i].Op is not Call || Callee(md, code[i].Operand) is not ("Monitor", var pulse, 1, _, _)
                    || pulse is not ("Pulse" or "PulseAll") || Load(md, code, i - 1) is not { } argument)
                {
                    continue;
                }

                if (Resolve(module, argument, () => frame.Roots, app.Name, o => o.Type?.Name == type).Surely(target))
                {
                    return $"{Where(app, code[i].Offset)} calls {pulse}";
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            // An unreadable method body: no pulse is known.
        }

        return null;
    }

    /// <summary>
    /// Review 63: where the innermost method of the application on <paramref name="scan"/>'s stack calls, after the call it is
    /// in, one of <paramref name="methods"/> of <paramref name="typeName"/> (its simple name, any generic instance) on any
    /// receiver: <c>lock (Sync) { ... Results[item].TrySetResult(item); }</c> waiting for <c>Sync</c>. The receiver is not read
    /// (an array element, a dictionary's value): what it says is that this code completes <em>a</em> source of that type,
    /// which may be the one waited on. Null otherwise.
    /// </summary>
    public string? CallsAfter(ThreadScan scan, string typeName, IReadOnlyCollection<string> methods)
    {
        try
        {
            if (InnermostAppCode(scan) is not { } app)
            {
                return null;
            }

            foreach (var instruction in app.Code.Where(i => i.Offset > app.Current && i.Op is Call or CallVirt))
            {
                if (Callee(app.Md, instruction.Operand) is (var calleeType, var calleeName, _, _, _) && calleeType == typeName && methods.Contains(calleeName))
                {
                    return $"{Where(app, instruction.Offset)} calls {calleeName}";
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            // An unreadable method body: no call is known.
        }

        return null;
    }

    /// <summary>The innermost method of the application on a thread's stack: its frame, its IL as the dump holds it, and the
    /// IL offset of the call it is in. The offset of a frame below the top maps at or before its call, to the start of the
    /// call's statement: 0 when it is the method's first (<c>worker.Join(); started.Set();</c>), which review 59-63 skipped
    /// as unknown; ClrMD's unknown is -1.</summary>
    private sealed record AppCode(FrameScan Frame, ClrMethod Method, ClrModule Module, MetadataReader Md, List<Instruction> Code, int Current)
    {
        public string Name => $"{Method.Type?.Name}.{Method.Name}";
    }

    /// <summary>Review 64: the preamble <see cref="ReleasesAfter(ThreadScan, SemaphoreInfo, string, string, string)"/> and
    /// <see cref="CallsAfter"/> shared: <paramref name="scan"/>'s innermost application frame, its IL, the current offset;
    /// null when there is none or its body cannot be read.</summary>
    private AppCode? InnermostAppCode(ThreadScan scan)
    {
        if (scan.Frames.FirstOrDefault(f => !f.IsFramework) is not { } frame || frame.Frame.Method is not { Type: { } type } method
            || type.Module is not { } module || Metadata(module) is not { } md || Code(method) is not { } code)
        {
            return null;
        }

        var current = method.GetILOffset(frame.Frame.InstructionPointer);
        return current < 0 ? null : new AppCode(frame, method, module, md, code, current);
    }

    /// <summary>Review 64: the method and the source line of the call at <paramref name="offset"/> in it (the call that would
    /// release or complete), not the line the frame is at (the lock it waits for); the frame's line when the PDB has none.</summary>
    private string Where(AppCode app, int offset)
    {
        var location = app.Module.Name is { Length: > 0 } path && lines?.Find(path, app.Method.MetadataToken, offset) is var (file, line)
            ? $"{Path.GetFileName(file)}:{line}"
            : app.Frame.Display.Location;
        return location is null ? app.Name : $"{app.Name} ({location})";
    }

    private List<Taken> TakenBy(int managedThreadId)
    {
        if (!_taken.TryGetValue(managedThreadId, out var taken))
        {
            taken = [];
            try
            {
                if (scans?.FirstOrDefault(s => s.ManagedId == managedThreadId) is { } scan)
                {
                    Read(scan, taken);
                }
                else if (domain?.Runtime.Threads.FirstOrDefault(t => t.ManagedThreadId == managedThreadId) is { } thread)
                {
                    Read(thread, taken);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
            {
                // An unreadable stack or method body: nothing taken is known.
            }

            _taken[managedThreadId] = taken;
        }

        return taken;
    }

    /// <summary>
    /// Review 59: from the frames and roots <see cref="RuntimeReader.ReadThreads"/> read already. A second walk of the stack
    /// and its roots (ClrMD's root cache is off) cost as much as the first; each of the four analyses that ask made its own
    /// instance, so a thread was walked up to four times more. Frames past <see cref="DoctorOptions.MaxFramesPerThread"/> are
    /// not read here either (they were: a slot taken that deep is not seen, as nothing else past them is).
    /// </summary>
    private void Read(ThreadScan scan, List<Taken> taken)
    {
        var roots = new Lazy<Dictionary<(ulong, ulong), List<ClrObject>>>(() =>
        {
            var byFrame = new Dictionary<(ulong, ulong), List<ClrObject>>();
            foreach (var frame in scan.Frames)
            {
                var key = (frame.Frame.StackPointer, frame.Frame.InstructionPointer);
                if (!byFrame.TryGetValue(key, out var list))
                {
                    byFrame[key] = list = [];
                }

                list.AddRange(frame.Roots.Take(256 - list.Count));
            }

            return byFrame;
        });
        Read(scan.Frames.ConvertAll(f => f.Frame), roots, taken);
    }

    private void Read(ClrThread thread, List<Taken> taken)
    {
        // The objects each frame roots (by stack and instruction pointer), read only for a receiver loaded from a field of this.
        var roots = new Lazy<Dictionary<(ulong, ulong), List<ClrObject>>>(() =>
        {
            var byFrame = new Dictionary<(ulong, ulong), List<ClrObject>>();
            foreach (var root in thread.EnumerateStackRoots())
            {
                if (root.StackFrame is { } frame && root.Object is { IsNull: false, IsValid: true } o)
                {
                    var key = (frame.StackPointer, frame.InstructionPointer);
                    if (!byFrame.TryGetValue(key, out var list))
                    {
                        byFrame[key] = list = [];
                    }

                    if (list.Count < 256)
                    {
                        list.Add(o);
                    }
                }
            }

            return byFrame;
        });
        Read(thread.EnumerateStackTrace().ToList(), roots, taken);
    }

    private void Read(List<ClrStackFrame> frames, Lazy<Dictionary<(ulong, ulong), List<ClrObject>>> roots, List<Taken> taken)
    {
        for (var index = 0; index < frames.Count; index++)
        {
            var frame = frames[index];
            if (frame.Method is not { Type: { } type } method || method.Type.Module is not { } module
                || WaitRule.IsFrameworkType(type.Name ?? "System.?", module.Name) || Metadata(module) is not { } md)
            {
                continue;
            }

            var current = method.GetILOffset(frame.InstructionPointer);
            if (current <= 0 || Code(method) is not { } code)
            {
                continue;
            }

            var at = $"{type.Name}.{method.Name}";
            List<ClrObject> FrameRoots() => roots.Value.GetValueOrDefault((frame.StackPointer, frame.InstructionPointer)) ?? [];

            // An async method's MoveNext on the stack past an `await x.WaitAsync()` is running after that await: the slot
            // is its (a flow running synchronously, as when the semaphore was free and the await did not suspend).
            // (An async lambda's state machine is named <<Start>b__3_0>d, with no number after the d.)
            var running = method.Name == "MoveNext" && type.Name is { } machineName && AsyncStateMachines.IsStateMachine(machineName);
            if (running && type.Name!.LastIndexOf("+<", StringComparison.Ordinal) is var open and > 0 && type.Name.LastIndexOf('>') is var close && close > open + 2)
            {
                // Outer+<SaveChangesAsync>d__7.MoveNext is the async method Outer.SaveChangesAsync; Outer+<>c+<<Start>b__3_0>d
                // the lambda Outer+<>c.<Start>b__3_0.
                at = $"{type.Name[..open]}.{type.Name[(open + 2)..close]}";
            }

            // A WaitAsync(token) the method went on past took the slot unless its token ended the wait: counted only when
            // no token source the method can have passed is cancelled (cancellation cannot be undone: not cancelled now,
            // not cancelled then). A catch past the await runs after a cancelled one, holding nothing.
            var start = index;
            var tokensLive = new Lazy<bool>(() => TokensLive(frames, start, type, roots.Value));
            foreach (var receiver in Unreleased(md, code, current, running, () => tokensLive.Value))
            {
                taken.Add(receiver is null ? new Taken([], null, true, at) : Resolve(module, receiver, FrameRoots, at));
            }

            // Past a WaitAsync(timeout): a slot if the wait returned true, which the dump does not keep (kept apart).
            if (running)
            {
                foreach (var receiver in Unreleased(md, code, current, running, timedOnly: true))
                {
                    taken.Add((receiver is null ? new Taken([], null, true, at) : Resolve(module, receiver, FrameRoots, at)) with { Timed = true });
                }
            }

            // A method of this module called before the current call that took a slot and returned without releasing it,
            // unless this method released or disposed something since (`using (Lock()) { ... }`, then on to other work).
            for (var i = 0; i < code.Count && code[i].Offset < current; i++)
            {
                if (code[i].Op is not (Call or CallVirt) || MetadataTokens.EntityHandle((int)code[i].Operand) is not { Kind: HandleKind.MethodDefinition } handle
                    || TakesAndReturns(module, md, (MethodDefinitionHandle)handle) is not { } helper || ReleasedAfter(md, code, i, current))
                {
                    continue;
                }

                foreach (var inner in helper.Receivers)
                {
                    taken.Add(ThroughCall(md, code, i, inner) is { } receiver ? Resolve(module, receiver, FrameRoots, helper.Name) : new Taken([], null, true, helper.Name));
                }
            }
        }
    }

    /// <summary>Whether the method calls <c>SemaphoreSlim.Release</c>, or <c>Dispose()</c> (on the local the helper's result
    /// was stored to, when it was), after the call at <paramref name="call"/> and before <paramref name="end"/>.</summary>
    private static bool ReleasedAfter(MetadataReader md, List<Instruction> code, int call, int end)
    {
        var result = call + 1 < code.Count ? Stored(code[call + 1]) : null;
        for (var i = call + 1; i < code.Count && code[i].Offset < end; i++)
        {
            if (code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not { } callee)
            {
                continue;
            }

            if (callee is ("SemaphoreSlim", "Release", _, _, _))
            {
                return true;
            }

            // The releaser's Dispose: `ldloc r; callvirt Dispose`, or `ldloca r; constrained. T; callvirt Dispose` for a struct.
            var load = i > 0 && code[i - 1].Op == Constrained ? i - 2 : i - 1;
            if (callee is (_, "Dispose", 0, true, false) && (result is null || (load >= 0 && (Slot(code[load]) ?? Address(code[load])) == result)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The local whose address an instruction loads (<c>ldloca</c>), or null.</summary>
    private static string? Address(Instruction instruction) => instruction.Op is 0x12 or 0xFE0D ? $"loc {instruction.Operand}" : null;

    /// <summary>A helper's receiver in its caller's terms: a static field path as it is; one rooted at an argument of the
    /// helper (<c>this</c> included), the caller's receiver for that argument at the call at <paramref name="call"/> with the
    /// helper's fields after it; null (any semaphore) for a local of the helper or an argument the caller's IL does not show.</summary>
    private static Receiver? ThroughCall(MetadataReader md, List<Instruction> code, int call, Receiver? inner)
    {
        if (inner is null || inner.StaticType is not null)
        {
            return inner;
        }

        var argument = inner.Slot is null ? 0 : inner.Slot.StartsWith("arg ", StringComparison.Ordinal) && int.TryParse(inner.Slot.AsSpan(4), out var n) ? n : -1;
        if (argument < 0 || Callee(md, code[call].Operand) is not { } callee)
        {
            return null;
        }

        var total = callee.Parameters + (callee.Instance ? 1 : 0);
        if (argument >= total || Skip(md, code, call - 1, total - 1 - argument) is not { } end || Load(md, code, end) is not { } outer)
        {
            return null;
        }

        return new Receiver(outer.StaticType, [.. outer.Path, .. inner.Path], inner.Path.Count > 0 ? inner.Name : outer.Name, outer.Slot);
    }

    /// <summary>The receivers of the <c>SemaphoreSlim.Wait</c> calls before <paramref name="end"/> with no <c>Release</c>
    /// of the same receiver after them (null: a receiver that cannot be read, any semaphore).</summary>
    private static List<Receiver?> Unreleased(MetadataReader md, List<Instruction> code, int end, bool running = false, Func<bool>? tokensLive = null, bool timedOnly = false)
    {
        var waits = new List<(int Offset, Receiver? Receiver)>();
        var releases = new List<(int Offset, Receiver Receiver)>();
        for (var i = 0; i < code.Count && code[i].Offset < end; i++)
        {
            if (code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not ("SemaphoreSlim", var name and ("Wait" or "Release" or "WaitAsync"), var parameters, _, _)
                || (timedOnly && (name == "Wait" || (name == "WaitAsync" && !(running && parameters > 0 && ReturnsGenericInstance(md, code[i].Operand)))))
                || (!timedOnly && name == "WaitAsync" && !(running && (parameters == 0
                    || (parameters == 1 && tokensLive is not null && !ReturnsGenericInstance(md, code[i].Operand) && tokensLive())))))
            {
                // WaitAsync() only in a running MoveNext past it: its await completed, the slot was granted. So is
                // WaitAsync(CancellationToken) when no token it can have been given is cancelled. (With a timeout, the
                // await returned whether it got the slot, which the dump does not keep: not counted.)
                continue;
            }

            var receiver = Skip(md, code, i - 1, parameters) is { } last ? Load(md, code, last) : null;
            if (name is "Wait" or "WaitAsync")
            {
                waits.Add((code[i].Offset, receiver));
            }
            else if (receiver is not null)
            {
                // A Release of a semaphore that cannot be read releases none that is known.
                releases.Add((code[i].Offset, receiver));
            }
        }

        return [.. waits.Where(w => w.Receiver is null || !releases.Exists(r => r.Offset > w.Offset && r.Receiver.Same(w.Receiver, code, w.Offset, r.Offset)))
            .Select(w => w.Receiver)];
    }

    /// <summary>
    /// Whether the tokens a running async method (the frame at <paramref name="index"/>, a <c>MoveNext</c> of
    /// <paramref name="machineType"/>) can have passed to <c>WaitAsync</c> are all uncancelled: the
    /// <c>CancellationToken</c> fields of its state machine, read from its box when a frame roots one, and any
    /// <c>CancellationTokenSource</c> rooted by that frame and its callers up to the method that started it (a state
    /// machine still on the stack is in its kick-off method's frame). False when nothing is found, or one is cancelled.
    /// </summary>
    private static bool TokensLive(List<ClrStackFrame> frames, int index, ClrType machineType, Dictionary<(ulong, ulong), List<ClrObject>> roots)
    {
        var seen = false;
        for (var k = index; k < frames.Count && k <= index + 6; k++)
        {
            var frame = frames[k];
            foreach (var root in roots.GetValueOrDefault((frame.StackPointer, frame.InstructionPointer)) ?? [])
            {
                if (root.Type is not { } type)
                {
                    continue;
                }

                if (WaitRule.DerivesFrom(type, "System.Threading.CancellationTokenSource"))
                {
                    seen = true;
                    if (!Uncancelled(root))
                    {
                        return false;
                    }
                }
                else if (type.Name?.Contains("AsyncStateMachineBox<", StringComparison.Ordinal) == true && TaskReader.MachineOf(root) is { } m && m.Type.MethodTable == machineType.MethodTable)
                {
                    seen = true;
                    foreach (var field in m.Type.Fields.Where(f => f.IsValueType && f.Type?.Name == "System.Threading.CancellationToken"))
                    {
                        var source = field.Type!.GetFieldByName("_source") is { } inner ? inner.ReadObject(field.GetAddress(m.Address, m.Interior), interior: true) : default;
                        if (!source.IsNull && !Uncancelled(source))
                        {
                            return false;
                        }
                    }
                }
            }

            // Up to the frame that called MoveNext: the builder's Start and the kick-off method, or the box's own MoveNext
            // and what ran it.
            if (k > index && frame.Method?.Name is { } name && !name.StartsWith("Start", StringComparison.Ordinal) && name != "MoveNext")
            {
                break;
            }
        }

        return seen;
    }

    /// <summary>Whether a <c>CancellationTokenSource</c> has not been cancelled (its <c>_state</c> is 0: not notifying,
    /// not notified); false when unreadable.</summary>
    private static bool Uncancelled(ClrObject source) => source.TryReadField<int>("_state", out var state) && state == 0;

    /// <summary>For a method of the application called by a frame: where it takes a slot it does not release (its name)
    /// and the receivers of those <c>Wait</c> calls in its own terms, or null.</summary>
    private (string Name, List<Receiver?> Receivers)? TakesAndReturns(ClrModule module, MetadataReader md, MethodDefinitionHandle handle)
    {
        var token = MetadataTokens.GetToken(handle);
        if (_helpers.TryGetValue((module, token), out var known))
        {
            return known;
        }

        known = null;
        try
        {
            var definition = md.GetMethodDefinition(handle);
            var typeName = TypeName(md, definition.GetDeclaringType());
            if (definition.RelativeVirtualAddress != 0 && !WaitRule.IsFrameworkType(typeName, module.Name)
                && module.GetTypeByName(typeName)?.Methods.FirstOrDefault(m => m.MetadataToken == token) is { } method
                && Code(method) is { } code && Unreleased(md, code, int.MaxValue) is { Count: > 0 } receivers)
            {
                known = (HelperName(md, handle), receivers);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or BadImageFormatException or IndexOutOfRangeException)
        {
            known = null;
        }

        _helpers[(module, token)] = known;
        return known;
    }

    /// <summary>For a method of the application called by a frame: the receivers (in its own terms) of the
    /// <c>SemaphoreSlim.Release</c> calls it makes, or null when it makes none that can be read.</summary>
    private (string Name, List<Receiver> Receivers)? Releases(ClrModule module, MetadataReader md, MethodDefinitionHandle handle, string typeName, string methodName)
    {
        var token = MetadataTokens.GetToken(handle);
        if (_releasers.TryGetValue((module, token, typeName, methodName), out var known))
        {
            return known;
        }

        known = null;
        try
        {
            var definition = md.GetMethodDefinition(handle);
            var declaring = TypeName(md, definition.GetDeclaringType());
            if (definition.RelativeVirtualAddress != 0 && !WaitRule.IsFrameworkType(declaring, module.Name)
                && module.GetTypeByName(declaring)?.Methods.FirstOrDefault(m => m.MetadataToken == token) is { } method && Code(method) is { } code)
            {
                var receivers = new List<Receiver>();
                for (var i = 0; i < code.Count; i++)
                {
                    if (code[i].Op is (Call or CallVirt) && Callee(md, code[i].Operand) is (var calleeType, var calleeName, var parameters, _, _)
                        && calleeType == typeName && calleeName == methodName
                        && (Skip(md, code, i - 1, parameters) is { } last ? Load(md, code, last) : null) is { } receiver)
                    {
                        receivers.Add(receiver);
                    }
                }

                known = receivers.Count > 0 ? (HelperName(md, handle), receivers) : null;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or BadImageFormatException or IndexOutOfRangeException)
        {
            known = null;
        }

        _releasers[(module, token, typeName, methodName)] = known;
        return known;
    }

    /// <summary>Whether a method is static, from its metadata (its arguments then start with a parameter, not <c>this</c>).</summary>
    private static bool IsStatic(MetadataReader md, ClrMethod method) =>
        MetadataTokens.EntityHandle(method.MetadataToken) is { Kind: HandleKind.MethodDefinition } handle
        && (md.GetMethodDefinition((MethodDefinitionHandle)handle).Attributes & System.Reflection.MethodAttributes.Static) != 0;

    private static string HelperName(MetadataReader md, MethodDefinitionHandle handle)
    {
        var definition = md.GetMethodDefinition(handle);
        return $"{TypeName(md, definition.GetDeclaringType())}.{md.GetString(definition.Name)}";
    }

    /// <summary>A method's IL, read from the dump, decoded; null when it cannot be read.</summary>
    private List<Instruction>? Code(ClrMethod method) =>
        Body(method, domain!.Runtime.DataTarget.DataReader) is { } bytes ? Decode(bytes) : null;

    /// <summary>The semaphores a receiver names: a static field's, read from the dump; a field of <c>this</c>, every one
    /// that field path leads to from an object the frame roots (else known by the field's name only); a local or a
    /// parameter, any.</summary>
    private Taken Resolve(ClrModule module, Receiver receiver, Func<List<ClrObject>> roots, string at, string type = SemaphoreType) =>
        Resolve(module, receiver, roots, at, o => o.Type?.Name == type);

    /// <summary>As <see cref="Resolve(ClrModule, Receiver, Func{List{ClrObject}}, string, string)"/> for the objects of which
    /// <paramref name="isType"/> holds (review 65b: any <c>EventWaitHandle</c>).</summary>
    private Taken Resolve(ClrModule module, Receiver receiver, Func<List<ClrObject>> roots, string at, Func<ClrObject, bool> isType)
    {
        if (receiver.StaticType is { } staticType)
        {
            var current = domain is not null && module.GetTypeByName(staticType)?.GetStaticFieldByName(receiver.Path[0]) is { IsObjectReference: true } field ? field.ReadObject(domain) : default;
            var found = Follow(current, receiver.Path, 1, isType);
            return new Taken(found.IsNull ? [] : [found], receiver.Name, false, at);
        }

        var all = new List<ClrObject>();
        foreach (var root in roots())
        {
            if (Follow(root, receiver.Path, 0, isType) is { IsNull: false } found && !all.Exists(o => o.Address == found.Address))
            {
                all.Add(found);
            }
        }

        // A local or a parameter: the semaphores the frame roots (through the same fields), when it roots any; else any.
        // Not for sure: the frame may root others besides.
        return receiver.Slot is null ? new Taken(all, receiver.Name, false, at)
            : all.Count == 0 ? new Taken([], null, true, at) : new Taken(all, receiver.Name, false, at, Exact: false);
    }

    private const string SemaphoreType = "System.Threading.SemaphoreSlim";

    private static ClrObject Follow(ClrObject current, List<string> path, int start, Func<ClrObject, bool> isType)
    {
        for (var i = start; i < path.Count && current is { IsNull: false, IsValid: true }; i++)
        {
            current = current.TryReadObjectField(path[i], out var next) ? next : default;
        }

        return current is { IsNull: false, IsValid: true } && isType(current) ? current : default;
    }

    /// <summary>The module's metadata, from the dump's copy of it.</summary>
    private MetadataReader? Metadata(ClrModule module) => ModuleMetadata(module, _metadata);

    /// <summary>Steps back over <paramref name="count"/> arguments made of loads and calls; returns the index of the
    /// receiver's last instruction, or null at anything else.</summary>
    private static int? Skip(MetadataReader md, List<Instruction> code, int end, int count)
    {
        var need = count;
        var k = end;
        while (need > 0)
        {
            if (k < 0)
            {
                return null;
            }

            var effect = code[k].Op switch
            {
                (>= 0x02 and <= 0x09) or 0x0E or 0x0F or 0x11 or 0x12 or (>= 0x14 and <= 0x23) or 0x72 or 0x7E or 0x7F or 0xFE09 or 0xFE0A or 0xFE0C or 0xFE0D => (0, 1),
                0x7B or 0x7C => (1, 1),

                // Conversions (conv.*, conv.ovf.*): `WaitAsync(TimeSpan.FromMinutes(10))` passes `ldc.i4.s 10; conv.i8`.
                (>= 0x67 and <= 0x6E) or 0x76 or (>= 0x82 and <= 0x8B) or (>= 0xB3 and <= 0xBA) or (>= 0xD1 and <= 0xD4) or 0xE0 => (1, 1),
                Call or CallVirt when Callee(md, code[k].Operand) is { } callee => (callee.Parameters + (callee.Instance ? 1 : 0), 1),
                _ => ((int, int)?)null,
            };
            if (effect is not { } e)
            {
                return null;
            }

            need += e.Item1 - e.Item2;
            k--;
        }

        return need == 0 ? k : null;
    }

    /// <summary>Reads a receiver ending at <paramref name="end"/>: <c>ldsfld F (ldfld f)*</c>, <c>ldarg.0 ldfld f (ldfld g)*</c>,
    /// or a local or a parameter (<c>ldloc</c>, <c>ldarg</c>, with or without fields after it: a slot, any semaphore).</summary>
    private static Receiver? Load(MetadataReader md, List<Instruction> code, int end)
    {
        var path = new List<string>();
        var k = end;
        string? name = null;
        while (k >= 0 && code[k].Op == LdField && Field(md, code[k].Operand) is { } field)
        {
            path.Insert(0, field.Name);
            name ??= field.Type is { } owner ? $"field {owner.Replace('+', '.')}.{field.Name}" : null;
            k--;
        }

        if (k < 0)
        {
            return null;
        }

        if (code[k].Op == LdStaticField && Field(md, code[k].Operand) is { Type: { } type } root)
        {
            path.Insert(0, root.Name);
            return new Receiver(type, path, path.Count == 1 ? $"static field {type.Replace('+', '.')}.{root.Name}" : name, null);
        }

        if (code[k].Op == LdArg0 && path.Count > 0)
        {
            return new Receiver(null, path, name, null);
        }

        if (Slot(code[k]) is not { } slot)
        {
            return null;
        }

        // An async method's MoveNext copies its `this` to a local once (`ldarg.0; ldfld <>4__this; stloc N`): a receiver
        // loaded from that local is a field of the method's `this`, as in the method itself.
        var stores = code.FindAll(c => Stored(c) == slot);
        if (path.Count > 0 && slot.StartsWith("loc ", StringComparison.Ordinal) && stores.Count == 1 && code.IndexOf(stores[0]) is var store and >= 2
            && code[store - 1].Op == LdField && AwaitSites.IsThisField(Field(md, code[store - 1].Operand)?.Name) && code[store - 2].Op == LdArg0)
        {
            return new Receiver(null, path, name, null);
        }

        return new Receiver(null, path, name, slot);
    }

    /// <summary>The local or argument an instruction loads (<c>loc N</c>, <c>arg N</c>), or null.</summary>
    private static string? Slot(Instruction instruction) => instruction.Op switch
    {
        >= 0x02 and <= 0x05 => $"arg {instruction.Op - 0x02}",
        >= 0x06 and <= 0x09 => $"loc {instruction.Op - 0x06}",
        0x0E or 0xFE09 => $"arg {instruction.Operand}",
        0x11 or 0xFE0C => $"loc {instruction.Operand}",
        _ => null,
    };

    /// <summary>The local or argument an instruction stores to, or null.</summary>
    private static string? Stored(Instruction instruction) => instruction.Op switch
    {
        >= 0x0A and <= 0x0D => $"loc {instruction.Op - 0x0A}",
        0x13 or 0xFE0E => $"loc {instruction.Operand}",
        0x10 or 0xFE0B => $"arg {instruction.Operand}",
        0x12 or 0xFE0D => $"loc {instruction.Operand}",
        0x0F or 0xFE0A => $"arg {instruction.Operand}",
        _ => null,
    };

    /// <summary>Where a call's receiver was loaded from: a static field (then fields of what it holds), fields of
    /// <c>this</c>, or a local or argument <see cref="Slot"/> (then fields); and how the other analyses name the field that
    /// holds it.</summary>
    private sealed record Receiver(string? StaticType, List<string> Path, string? Name, string? Slot)
    {
        /// <summary>Whether two receivers, loaded at two offsets of one method, are the same semaphore: the same static or
        /// field path, or the same local or argument not stored to in between.</summary>
        public bool Same(Receiver other, List<Instruction> code, int from, int to) =>
            StaticType == other.StaticType && Slot == other.Slot && Path.SequenceEqual(other.Path, StringComparer.Ordinal)
            && (Slot is null || !code.Exists(c => c.Offset > from && c.Offset < to && Stored(c) == Slot));
    }

    private static (string? Type, string Name)? Field(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        return handle.Kind switch
        {
            HandleKind.FieldDefinition => (TypeName(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()), md.GetString(md.GetFieldDefinition((FieldDefinitionHandle)handle).Name)),
            HandleKind.MemberReference => (null, md.GetString(md.GetMemberReference((MemberReferenceHandle)handle).Name)),
            _ => null,
        };
    }

    private const int LdArg0 = 0x02;
    private const int Constrained = 0xFE16;
    private const int Call = 0x28;
    private const int CallVirt = 0x6F;
    private const int LdField = 0x7B;
    private const int LdStaticField = 0x7E;
}
