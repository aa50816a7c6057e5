using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>A lock held at some point of a function, with where it was taken.</summary>
/// <param name="Key">The lock.</param>
/// <param name="Location">Where it was taken.</param>
internal sealed record HeldLock(LockKey Key, Location Location);
