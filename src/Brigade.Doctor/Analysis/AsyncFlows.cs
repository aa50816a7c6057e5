using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// The suspended async flows of a process and what they wait for: each unfinished async method's await (from its
/// state and its <c>MoveNext</c>'s IL, <see cref="AwaitSites"/>), the <c>SemaphoreSlim</c> slots a flow may hold, and
/// the flows whose innermost await waits on a semaphore with no free slot. Flows are described (their async stacks) by
/// <see cref="TaskReader.Describe(Microsoft.Diagnostics.Runtime.ClrObject)"/>, the chain the sync-over-async findings follow.
/// </summary>
internal sealed class AsyncFlows(AsyncHeap heap, AwaitSites sites, ClrAppDomain? domain, IReadOnlyList<ThreadScan>? scans = null)
{
    private AsyncThreadHolders? _threadHolders;

    private readonly Dictionary<ulong, Frame?> _frames = [];
    private readonly Dictionary<SemaphoreInfo, bool> _lockStyle = [];

    /// <summary>One suspended async method: its state machine and the await it is at.</summary>
    internal sealed record Frame(ClrType Type, ulong Address, bool Interior, int State, AwaitSites.Site? Site, AwaitSites.Machine? Machine);

    public AsyncHeap Heap => heap;

    /// <summary>Gets the application domain statics are read from, or null.</summary>
    public ClrAppDomain? Domain => domain;

    /// <summary>Gets the threads' synchronous slot holders, read once from the frames and roots already read (review 59:
    /// each analysis made its own, and walked every thread it asked about again).</summary>
    public AsyncThreadHolders ThreadHolders => _threadHolders ??= new AsyncThreadHolders(domain, scans);

    /// <summary>Gets the modules whose awaits were left unmapped: the file on disk is not the build the dump ran.</summary>
    public IReadOnlyCollection<string> StaleModules => sites.StaleModules;

    /// <summary>Reads (once) the state machine of an unfinished box and the await its state names.</summary>
    public Frame? FrameOf(ClrObject box)
    {
        if (!_frames.TryGetValue(box.Address, out var frame))
        {
            frame = null;
            if (TaskReader.MachineOf(box) is { } m)
            {
                var machine = sites.For(m.Type);
                frame = new Frame(m.Type, m.Address, m.Interior, m.State, machine?.ByState.GetValueOrDefault(m.State), machine);
            }

            _frames[box.Address] = frame;
        }

        return frame;
    }

    /// <summary>The await an async method is suspended at, as source text: <c>_stock.WaitAsync(), Shop.cs:45</c>.</summary>
    public string? AwaitText(ClrObject box) => FrameOf(box)?.Site is { } site ? site.Location is null ? site.Display : $"{site.Display}, {site.Location}" : null;

    /// <summary>Names the semaphores the flows wait on through the field their await loaded them from, where nothing
    /// named them yet (a static field is named by <see cref="HolderFinder"/> first).</summary>
    public void NameSemaphores(Func<ClrObject, string?> holderOf)
    {
        // A semaphore inside a wrapper ("AsyncLock"), taken through a helper a suspended caller awaits, is named by the
        // caller's whole path (field Shop._stockLock._semaphore): the wrapper's own field would name every instance alike.
        foreach (var box in heap.Boxes.Values)
        {
            if (FrameOf(box) is { Site.Helper: { } taken } frame)
            {
                var (semaphore, name) = AwaitSites.Resolve(taken, frame.Type, frame.Address, frame.Interior, domain, fullPath: true);
                if (!semaphore.IsNull && heap.Semaphores.TryGetValue(semaphore.Address, out var info) && info.HeldIn?.StartsWith("static field ", StringComparison.Ordinal) != true)
                {
                    info.HeldIn = name;
                }
            }
        }

        foreach (var semaphore in heap.Semaphores.Values)
        {
            semaphore.HeldIn ??= holderOf(semaphore.Object);
        }

        foreach (var box in heap.Boxes.Values)
        {
            if (FrameOf(box) is { Site: { IsSemaphoreWait: true, Receiver: { } receiver } } frame)
            {
                var (semaphore, name) = AwaitSites.Resolve(receiver, frame.Type, frame.Address, frame.Interior, domain);
                if (heap.Semaphores.TryGetValue(semaphore.Address, out var info))
                {
                    info.HeldIn ??= name;
                }
            }
        }

        // Two semaphores named alike (two instances of one class) are told apart by their addresses, as lock objects are.
        foreach (var same in heap.Semaphores.Values.Where(i => i.HeldIn is not null).GroupBy(i => i.HeldIn, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var info in same)
            {
                info.ShowAddress = true;
            }
        }
    }

    /// <summary>
    /// The semaphores whose slot the async method in <paramref name="box"/> may hold: its <c>MoveNext</c> awaits
    /// <c>WaitAsync</c> on that semaphore (loaded from a field or static this reader follows) before, in IL order, the
    /// await it is suspended at, with no <c>Release</c> of it in between (a <c>finally</c> after the current await, whose
    /// <c>try</c> contains it, has not run yet); and the
    /// semaphore has no free slot. Evidence, not proof: IL order is not the path taken (a branch may have skipped that
    /// <c>WaitAsync</c>), and a slot may be released by other code.
    /// </summary>
    public List<(SemaphoreInfo Semaphore, AwaitSites.Site At)> MayHold(ClrObject box)
    {
        var held = new List<(SemaphoreInfo, AwaitSites.Site)>();
        if (FrameOf(box) is not { Site: { } current, Machine: { } machine } frame)
        {
            return held;
        }

        foreach (var site in machine.ByState.Values.Where(s => s.Acquires is not null && s.Offset < current.Offset).OrderBy(s => s.Offset))
        {
            var semaphore = Resolve(frame, site.Acquires!);
            if (semaphore is not { CurrentCount: 0 } || held.Exists(h => h.Item1 == semaphore))
            {
                continue;
            }

            // A Release between the two in IL order (in a finally too: a finally before the current await closes a try
            // that does not contain it) may have run on the way. One whose receiver is unknown may be this semaphore's.
            // A slot taken through a helper (an "AsyncLock" wrapper) is released by disposing what it returned: any
            // Dispose() in between counts.
            var released = machine.Releases.Exists(r => r.Offset > site.Offset && r.Offset < current.Offset
                && (r.IsDispose ? site.Helper is not null : r.Receiver is null || Resolve(frame, r.Receiver) == semaphore));
            if (!released)
            {
                held.Add((semaphore, site));
            }
        }

        return held;
    }

    /// <summary>
    /// Whether a semaphore is used as a lock: some suspended async method whose <c>MoveNext</c> awaits
    /// <c>WaitAsync</c> on it also calls <c>Release</c> on it after that await, in IL order. A semaphore only waited on
    /// (a signal released by a Ctrl+C handler, a reader thread, a producer) has no slot to leak.
    /// </summary>
    public bool UsedAsLock(SemaphoreInfo semaphore)
    {
        if (!_lockStyle.TryGetValue(semaphore, out var used))
        {
            used = heap.Boxes.Values.Any(box => FrameOf(box) is { Machine: { } machine } frame
                && machine.ByState.Values.Any(w => w.IsSemaphoreWait && w.Receiver is { } r && Resolve(frame, r) == semaphore
                    && machine.Releases.Exists(x => !x.IsDispose && x.Offset > w.Offset && x.Receiver is { } xr && Resolve(frame, xr) == semaphore)));
            _lockStyle[semaphore] = used;
        }

        return used;
    }

    /// <summary>
    /// Review 57: the call by which the async method in <paramref name="box"/> would complete the completion source at
    /// <paramref name="source"/> once it goes on: a <c>SetResult</c> (<c>TrySetResult</c>, <c>SetException</c>...) whose
    /// receiver, loaded from a field or static this reader follows, is that source, after (in IL order) the await the
    /// method is suspended at. Null when there is none. Evidence, not proof, as <see cref="MayHold"/> is.
    /// </summary>
    public AwaitSites.Site? CompletesLater(ClrObject box, ulong source)
    {
        if (FrameOf(box) is not { Machine: { Completes.Count: > 0 } machine } frame
            || (frame.Site?.Offset ?? (machine.Suspends.TryGetValue(frame.State, out var stored) ? stored : (int?)null)) is not { } current)
        {
            return null;
        }

        return machine.Completes.Where(c => c.Offset > current && c.Receiver is not null).OrderBy(c => c.Offset)
            .FirstOrDefault(c => AwaitSites.Resolve(c.Receiver!, frame.Type, frame.Address, frame.Interior, domain).Object.Address == source);
    }

    /// <summary>
    /// Review 57: the call by which a thread's method (<paramref name="method"/>, blocked in <c>SemaphoreSlim.Wait</c> on
    /// <paramref name="semaphore"/>) would complete the completion source at <paramref name="source"/> once its wait ends:
    /// a <c>SetResult</c> (...) after, in IL order, a <c>Wait</c> on that semaphore, both receivers static fields that hold
    /// these very objects in the dump. Null when there is none (a receiver in a local or a closure is not followed).
    /// </summary>
    public AwaitSites.Site? CompletedAfterWait(ClrMethod method, SemaphoreInfo semaphore, ulong source)
    {
        if (method.Type is not { } type || sites.ForMethod(method) is not { Completes.Count: > 0 } machine)
        {
            return null;
        }


        var wait = machine.Waits.Where(w => w.Receiver is { StaticType: not null } r && AwaitSites.Resolve(r, type, 0, false, domain).Object.Address == semaphore.Object.Address)
            .Select(w => (int?)w.Offset).Min();
        return wait is null ? null : machine.Completes.Where(c => c.Offset > wait && c.Receiver is { StaticType: not null }).OrderBy(c => c.Offset)
            .FirstOrDefault(c => AwaitSites.Resolve(c.Receiver!, type, 0, false, domain).Object.Address == source);
    }

    /// <summary>
    /// Review 57: the await by which the async method in <paramref name="box"/> took a hand-written async lock at
    /// <paramref name="lockObject"/>: an earlier await (IL order) of the method <paramref name="callee"/> on a receiver that
    /// is that object, a <c>Dispose()</c> after the await it is suspended at (the <c>using</c> that releases it) and none
    /// between the two. Null when there is none. Evidence, not proof, as <see cref="MayHold"/> is.
    /// </summary>
    public AwaitSites.Site? PassedLock(ClrObject box, string callee, ulong lockObject)
    {
        if (FrameOf(box) is not { Site: { } current, Machine: { } machine } frame || !machine.Releases.Exists(r => r.IsDispose && r.Offset > current.Offset))
        {
            return null;
        }

        return machine.ByState.Values.Where(s => s.Callee == callee && s.Offset < current.Offset && s.Receiver is not null
                && !machine.Releases.Exists(r => r.IsDispose && r.Offset > s.Offset && r.Offset < current.Offset))
            .OrderBy(s => s.Offset)
            .FirstOrDefault(s => AwaitSites.Resolve(s.Receiver!, frame.Type, frame.Address, frame.Interior, domain).Object.Address == lockObject);
    }

    private SemaphoreInfo? Resolve(Frame frame, AwaitSites.Receiver receiver)
    {
        var (target, _) = AwaitSites.Resolve(receiver, frame.Type, frame.Address, frame.Interior, domain);
        return !target.IsNull && heap.Semaphores.TryGetValue(target.Address, out var info) ? info : null;
    }

    /// <summary>The outermost unfinished async method of the flow <paramref name="box"/> belongs to: up the continuations
    /// while they resume another unfinished async method.</summary>
    public ClrObject Outermost(ClrObject box)
    {
        var seen = new HashSet<ulong> { box.Address };
        for (var guard = 0; guard < 64; guard++)
        {
            var next = heap.ResumedBoxes(box.Address).FirstOrDefault(a => !seen.Contains(a));
            if (next == 0)
            {
                break;
            }

            seen.Add(next);
            box = heap.Boxes[next];
        }

        return box;
    }
}
