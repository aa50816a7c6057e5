using System.Runtime.CompilerServices;

namespace Brigade.Synchronization;

/// <summary>
/// A thread as the owner of synchronously acquired primitives: its held stack and the event it blocks on.
/// Synchronous acquisitions belong to their thread, like <see cref="Monitor"/> and <see cref="System.Threading.Lock"/>.
/// </summary>
#pragma warning disable CA1001 // The event lives as long as its thread; it never holds an OS handle (WaitHandle is never read).
internal sealed class ThreadHolder : Holder
#pragma warning restore CA1001
{
    [ThreadStatic]
    private static ThreadHolder? t_current;

    private readonly Thread _thread;

    // Written only by the owning thread; read by other threads only to describe a blocked owner in a report.
    private HeldEntry[] _held = new HeldEntry[4];
    private int _count;
    private ManualResetEventSlim? _event;
    private long _serial;

    // Grants this thread took that another thread released (a blocking scope disposed after an await resumed elsewhere,
    // lib52): the primitive was freed at once, but only this thread writes its held stack, so it drops their entries at
    // its next acquisition (Current). Guarded by _releasedElsewhereGate; the flag lets Current skip the lock.
    private readonly Lock _releasedElsewhereGate = new();
    private List<(SynchronizationPrimitive Primitive, long Serial)>? _releasedElsewhere;
    private volatile bool _hasReleasedElsewhere;

    private ThreadHolder()
    {
        AsThread = this;
        _thread = Thread.CurrentThread;
        ThreadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>Gets the current thread's holder.</summary>
    public static ThreadHolder Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var current = t_current;
            if (current is null)
            {
                return CreateCurrent();
            }

            if (current._hasReleasedElsewhere)
            {
                current.DropReleasedElsewhere();
            }

            return current;
        }
    }

    /// <summary>Gets the current thread's holder if it was ever created.</summary>
    public static ThreadHolder? CurrentOrNull
    {
        get
        {
            var current = t_current;
            if (current is { _hasReleasedElsewhere: true })
            {
                current.DropReleasedElsewhere();
            }

            return current;
        }
    }

    /// <summary>Gets a serial number for this thread's next grant: it tells a scope from a later one of the same
    /// thread without writing to the lock. Only the owning thread calls it, or a releaser handing a lock to this thread
    /// while it is blocked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long NextSerial() => ++_serial;

    /// <summary>Gets the managed thread id.</summary>
    public int ThreadId { get; }

    /// <summary>Gets how many primitives the thread holds.</summary>
    public int Count => _count;

    /// <summary>Gets the held entries, oldest first.</summary>
    public ReadOnlySpan<HeldEntry> Held => _held.AsSpan(0, _count);

    /// <summary>Gets the event this thread blocks on; one per thread, since a thread waits for one thing at a time.</summary>
    /// <remarks>It spins briefly and never yields before it blocks (see <see cref="WaitSpinCount"/>).</remarks>
    public ManualResetEventSlim WaitEvent => _event ??= new ManualResetEventSlim(false, WaitSpinCount);

    /// <summary>Spins of a waiter before it blocks: below SpinWait's yield threshold, so they never give the core away.</summary>
    private const int WaitSpinCount = 8;

    public void Push(SynchronizationPrimitive primitive, AccessMode mode, long serial, in CallSite site)
    {
        var held = _held;
        var count = _count;
        if ((uint)count >= (uint)held.Length)
        {
            held = Grow();
        }

        // A loop that takes the same lock at the same depth finds the same references in the slot: skip their stores.
        ref var entry = ref held[count];
        if (!ReferenceEquals(entry.Primitive, primitive))
        {
            entry.Primitive = primitive;
        }

        if (!ReferenceEquals(entry.Member, site.Member))
        {
            entry.Member = site.Member;
        }

        if (!ReferenceEquals(entry.File, site.File))
        {
            entry.File = site.File;
        }

        if (entry.Trace is not null || site.Trace is not null)
        {
            entry.Trace = site.Trace;
        }

        entry.Mode = mode;
        entry.Serial = serial;
        entry.Line = site.Line;
        _count = count + 1;
    }

    /// <summary>Removes the entry of one grant, searching from the most recent (releases are usually LIFO).</summary>
    /// <remarks>Entries above the count are not cleared: they only refer to primitives and literal strings, and the
    /// next push overwrites them.</remarks>
    /// <returns>Whether the grant was held.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Remove(SynchronizationPrimitive primitive, long serial)
    {
        var held = _held;
        var top = _count - 1;
        if ((uint)top < (uint)held.Length && ReferenceEquals(held[top].Primitive, primitive) && held[top].Serial == serial)
        {
            _count = top;
            return true;
        }

        return RemoveBelowTop(primitive, serial);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RemoveBelowTop(SynchronizationPrimitive primitive, long serial)
    {
        var top = _count - 1;
        for (var i = top - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_held[i].Primitive, primitive) && _held[i].Serial == serial)
            {
                Array.Copy(_held, i + 1, _held, i, _count - i - 1);
                _count--;
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets whether the thread holds <paramref name="primitive"/> in <paramref name="mode"/>.</summary>
    public bool Holds(SynchronizationPrimitive primitive, AccessMode mode)
    {
        var held = _held;
        var count = Math.Min(_count, held.Length);
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(held[i].Primitive, primitive) && held[i].Mode == mode)
            {
                return true;
            }
        }

        return false;
    }

    public override string Describe()
    {
        var name = _thread.Name;
        return name is null ? $"thread #{ThreadId}" : $"thread '{name}' (#{ThreadId})";
    }

    public override CallSite SiteOf(SynchronizationPrimitive primitive)
    {
        var held = _held;
        var count = Math.Min(_count, held.Length);
        for (var i = count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(held[i].Primitive, primitive))
            {
                return held[i].Site;
            }
        }

        return default;
    }

    /// <summary>Records that another thread releases this thread's grant <paramref name="serial"/> of
    /// <paramref name="primitive"/>: its entry leaves the stack at this thread's next acquisition.</summary>
    /// <param name="primitive">The primitive released.</param>
    /// <param name="serial">The grant's serial.</param>
    /// <param name="mustHold">Whether to record it only if the stack holds the grant and no other thread released it yet
    /// (a lock that keeps no serial of its own tells a second dispose of a scope this way).</param>
    /// <returns>Whether it was recorded; false only when <paramref name="mustHold"/> and the grant is not held.</returns>
    /// <remarks>The owner may push or pop other entries meanwhile: a grant it still holds stays in its stack (only its
    /// release or <see cref="DropReleasedElsewhere"/>, under this lock, removes it), so the read can only miss an entry
    /// moved by a concurrent removal below it, and the release is then refused as a second dispose is.</remarks>
    public bool ReleasedElsewhere(SynchronizationPrimitive primitive, long serial, bool mustHold = false)
    {
        lock (_releasedElsewhereGate)
        {
            if (mustHold && (_releasedElsewhere?.Contains((primitive, serial)) == true || !HoldsGrant(primitive, serial)))
            {
                return false;
            }

            (_releasedElsewhere ??= []).Add((primitive, serial));
            _hasReleasedElsewhere = true;
            return true;
        }
    }

    private bool HoldsGrant(SynchronizationPrimitive primitive, long serial)
    {
        var held = _held;
        var count = Math.Min(_count, held.Length);
        for (var i = count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(held[i].Primitive, primitive) && held[i].Serial == serial)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DropReleasedElsewhere()
    {
        lock (_releasedElsewhereGate)
        {
            foreach (var (primitive, serial) in _releasedElsewhere!)
            {
                Remove(primitive, serial);
            }

            _releasedElsewhere.Clear();
            _hasReleasedElsewhere = false;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadHolder CreateCurrent() => t_current = new ThreadHolder();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeldEntry[] Grow()
    {
        Array.Resize(ref _held, _held.Length * 2);
        return _held;
    }
}
