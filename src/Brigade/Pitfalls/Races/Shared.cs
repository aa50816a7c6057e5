using System.Diagnostics;
using System.Runtime.CompilerServices;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// A variable shared between threads whose accesses a <see cref="RaceDetector"/> checks for data races: plain
/// <see cref="Read"/>s and <see cref="Write"/>s, and atomic operations that synchronize like <c>Interlocked</c> and
/// <c>Volatile</c> do.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>
/// <para>Plain accesses are plain field accesses: two flows doing <c>Write(Read() + 1)</c> at once lose updates, as a
/// plain field would. A race is a plain access and another access (plain or atomic), at least one a write, that no
/// synchronization ordered; atomic operations never race with each other. Each variable is reported once.</para>
/// <para>With no detector (and no exploration) active, an access costs one static volatile read more than a field;
/// atomic operations take the variable's small internal lock. With a detector: about 100 bytes of state per variable,
/// created at the first access, and a check under that lock per access (see docs/performance.md).</para>
/// </remarks>
/// <example>
/// <code>
/// var hits = new Shared&lt;long&gt;("hits");
/// hits.Increment();                          // atomic: never a race
/// hits.Write(hits.Read() + 1);               // plain: a race unless every such access holds one lock
/// var config = new Shared&lt;Config?&gt;("config");
/// config.WriteRelease(new Config());          // publish; readers use ReadAcquire
/// </code>
/// </example>
[DebuggerDisplay("{Name,nq} = {_value}")]
public sealed class Shared<T>
{
    private static int s_nextId;

    // Guards the value during atomic operations (and, with a detector, the race state); plain accesses do not take it.
    private readonly Lock _atomicGate = new();
    private T _value;
    private VariableShadow? _shadow;

    /// <summary>Initializes a variable with a generated name and the default value.</summary>
    public Shared()
        : this(null, default!)
    {
    }

    /// <summary>Initializes a variable; its initial value is not an access.</summary>
    /// <param name="name">The name reports use; null for <c>shared#N</c>.</param>
    /// <param name="initialValue">The initial value.</param>
    public Shared(string? name, T initialValue = default!)
    {
        Name = name ?? $"shared#{Interlocked.Increment(ref s_nextId)}";
        _value = initialValue;
    }

    /// <summary>Gets the name reports use.</summary>
    public string Name { get; }

    /// <summary>Reads the value plainly (no synchronization).</summary>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The value.</returns>
    public T Read([CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
    {
        if (TrackedAccess.Enabled)
        {
            Track(AccessKind.Read, callerMember, callerFile, callerLine);
        }

        return _value;
    }

    /// <summary>Writes the value plainly (no synchronization).</summary>
    /// <param name="value">The new value.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    public void Write(T value, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
    {
        if (TrackedAccess.Enabled)
        {
            Track(AccessKind.Write, callerMember, callerFile, callerLine);
        }

        _value = value;
    }

    /// <summary>Reads the value atomically, ordered after the <see cref="WriteRelease"/> (or other atomic write) it reads from.</summary>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The value.</returns>
    public T ReadAcquire([CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AtomicCore(static (current, _) => (current, current), default(T)!, reads: true, writes: false, callerMember, callerFile, callerLine);

    /// <summary>Writes the value atomically, publishing what this flow did before: a <see cref="ReadAcquire"/> that reads it is ordered after.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    public void WriteRelease(T value, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AtomicCore(static (current, next) => (next, current), value, reads: false, writes: true, callerMember, callerFile, callerLine);

    /// <summary>Sets the value atomically and returns the previous one.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The previous value.</returns>
    public T Exchange(T value, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AtomicCore(static (current, next) => (next, current), value, reads: true, writes: true, callerMember, callerFile, callerLine);

    /// <summary>Sets the value to <paramref name="value"/> atomically if it equals <paramref name="comparand"/>.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The value expected.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The value before the operation (equal to <paramref name="comparand"/> when it succeeded).</returns>
    public T CompareExchange(T value, T comparand, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AtomicCore(
            static (current, pair) => (EqualityComparer<T>.Default.Equals(current, pair.Comparand) ? pair.Value : current, current),
            (Value: value, Comparand: comparand),
            reads: true,
            writes: true,
            callerMember,
            callerFile,
            callerLine);

    /// <summary>Replaces the value atomically with <paramref name="update"/> of it (a read-modify-write that cannot lose updates).</summary>
    /// <param name="update">Computes the new value from the current one; it runs under the variable's lock, so keep it short and do not block in it.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The new value.</returns>
    public T Update(Func<T, T> update, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
    {
        ArgumentNullException.ThrowIfNull(update);
        return AtomicCore(static (current, f) => { var next = f(current); return (next, next); }, update, reads: true, writes: true, callerMember, callerFile, callerLine);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} = {_value}";

    private TResult AtomicCore<TState, TResult>(Func<T, TState, (T Next, TResult Result)> operation, TState state, bool reads, bool writes, string member, string file, int line)
    {
        RaceReport? race = null;
        TResult result;
        if (TrackedAccess.Enabled)
        {
            TrackedAccess.Scheduler?.OnAccess(Name, writes ? AccessKind.AtomicWrite : AccessKind.AtomicRead);
            var detector = TrackedAccess.Detector;
            var flow = detector?.CurrentFlow();
            var shadow = flow is { IsTracked: true } ? ShadowFor(detector!) : null;
            lock (_atomicGate)
            {
                (var next, result) = operation(_value, state);
                if (writes)
                {
                    _value = next;
                }

                if (shadow is not null)
                {
                    race = shadow.Atomic(flow!, reads, writes, member, file, line);
                }
            }

            if (race is not null)
            {
                detector!.Report(race);
            }

            return result;
        }

        lock (_atomicGate)
        {
            (var next, result) = operation(_value, state);
            if (writes)
            {
                _value = next;
            }
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Track(AccessKind kind, string member, string file, int line)
    {
        TrackedAccess.Scheduler?.OnAccess(Name, kind);
        if (TrackedAccess.Detector is not { } detector)
        {
            return;
        }

        var flow = detector.CurrentFlow();
        if (!flow.IsTracked)
        {
            return;
        }

        var shadow = ShadowFor(detector);
        if (shadow.Reported)
        {
            return;
        }

        RaceReport? race;
        lock (_atomicGate)
        {
            race = kind == AccessKind.Read ? shadow.Read(flow, member, file, line) : shadow.Write(flow, member, file, line);
        }

        if (race is not null)
        {
            detector.Report(race);
        }
    }

    private VariableShadow ShadowFor(RaceDetector detector)
    {
        var shadow = Volatile.Read(ref _shadow);
        if (shadow is null || shadow.Detector != detector)
        {
            var created = new VariableShadow(detector, Name);
            shadow = Interlocked.CompareExchange(ref _shadow, created, shadow) == shadow ? created : Volatile.Read(ref _shadow)!;
        }

        return shadow;
    }
}
