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
internal sealed record LockEvent(LockKey? Acquired, IMethodSymbol? Callee, Location Location, ImmutableArray<HeldLock> Held, LockMode Mode = LockMode.Exclusive);
