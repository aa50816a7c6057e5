using System.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// A held Brigade primitive: disposing the scope releases it. Returned by <c>Acquire</c>/<c>AcquireAsync</c> (always
/// acquired) and by <c>TryAcquire</c>/<c>TryAcquireAsync</c> (check <see cref="IsAcquired"/>).
/// </summary>
/// <remarks>
/// Dispose a scope exactly once; a second dispose throws <see cref="SynchronizationLockException"/>, as does disposing
/// a synchronously acquired scope on another thread. Disposing the default (not acquired) scope does nothing.
/// </remarks>
/// <example>
/// <code>
/// using (accounts.Acquire()) { Move(from, to, amount); }
/// using (await accounts.AcquireAsync(cancellationToken)) { await SaveAsync(cancellationToken); }
/// using var scope = await accounts.TryAcquireAsync(TimeSpan.FromSeconds(1));
/// if (!scope.IsAcquired) return Busy();
/// </code>
/// </example>
[DebuggerDisplay("{IsAcquired ? \"held: \" + Primitive : \"not acquired\",nq}")]
public readonly struct LockScope : IDisposable, IEquatable<LockScope>
{
    private readonly SynchronizationPrimitive? _primitive;
    private readonly Holder? _holder;
    private readonly long _serial;
    private readonly AccessMode _mode;

    internal LockScope(SynchronizationPrimitive primitive, Holder holder, long serial, AccessMode mode)
    {
        _primitive = primitive;
        _holder = holder;
        _serial = serial;
        _mode = mode;
    }

    /// <summary>Gets whether the primitive was acquired (false only for a <c>TryAcquire</c> that timed out).</summary>
    public bool IsAcquired => _primitive is not null;

    /// <summary>Gets the primitive held, or null when not acquired.</summary>
    public SynchronizationPrimitive? Primitive => _primitive;

    /// <summary>Tests two scopes for equality.</summary>
    /// <param name="left">A scope.</param>
    /// <param name="right">Another scope.</param>
    /// <returns>Whether both are the same grant.</returns>
    public static bool operator ==(LockScope left, LockScope right) => left.Equals(right);

    /// <summary>Tests two scopes for inequality.</summary>
    /// <param name="left">A scope.</param>
    /// <param name="right">Another scope.</param>
    /// <returns>Whether they are different grants.</returns>
    public static bool operator !=(LockScope left, LockScope right) => !left.Equals(right);

    /// <summary>Releases the primitive (once); does nothing when not acquired.</summary>
    public void Dispose() => _primitive?.Release(_holder!, _serial, _mode);

    /// <inheritdoc/>
    public bool Equals(LockScope other) =>
        ReferenceEquals(_primitive, other._primitive) && ReferenceEquals(_holder, other._holder) && _serial == other._serial && _mode == other._mode;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LockScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_primitive, _holder, _serial, _mode);
}
