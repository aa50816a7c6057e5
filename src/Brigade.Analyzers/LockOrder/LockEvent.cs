using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// Something a function does that matters to the lock graph: takes a lock (<see cref="Acquired"/> set) or calls a
/// function of the compilation (<see cref="Callee"/> set), with the locks it holds then.
/// </summary>
/// <param name="Acquired">The lock taken, for an acquisition.</param>
/// <param name="Callee">The function called, for a call.</param>
/// <param name="Location">Where.</param>
/// <param name="Held">The locks held at that point, outermost first.</param>
/// <param name="Mode">How <see cref="Acquired"/> is taken.</param>
/// <param name="OnThis">For an acquisition, a lock of the function's own instance that each instance has its own of
/// (<c>lock (_sync)</c>, <c>readonly object _sync = new();</c>); for a call, one on <c>this</c>.</param>
/// <param name="Fresh">For an acquisition, a lock of an object the function has just created; for a call, one on
/// such an object: the methods called on it in the function (its constructor first), which must not let it out
/// (decided at compilation end); default otherwise.</param>
internal sealed record LockEvent(
    LockKey? Acquired, IMethodSymbol? Callee, Location Location, ImmutableArray<HeldLock> Held, LockMode Mode = LockMode.Exclusive, bool OnThis = false, ImmutableArray<IMethodSymbol> Fresh = default);
