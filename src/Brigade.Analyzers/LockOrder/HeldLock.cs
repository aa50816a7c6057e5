using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>A lock held at some point of a function, with where it was taken.</summary>
/// <param name="Key">The lock.</param>
/// <param name="Location">Where it was taken.</param>
/// <param name="Mode">How it is held (<c>EnterReadLock</c>, <c>AcquireRead</c>: as a reader).</param>
/// <param name="Releasers">Functions of the compilation called, as statements, since it was taken outside a
/// <c>using</c>: if one of them releases it (<c>void Exit() => _gate.Release();</c>), it is no longer held.</param>
/// <param name="Fresh">For a lock of an object the function has just created, the methods called on that object (see
/// <see cref="LockEvent.Fresh"/>); default otherwise.</param>
internal sealed record HeldLock(LockKey Key, Location Location, LockMode Mode = LockMode.Exclusive, ReleaserChain? Releasers = null, ImmutableArray<IMethodSymbol> Fresh = default);
