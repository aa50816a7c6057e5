namespace Brigade.Internal;

/// <summary>The result type of work that returns nothing.</summary>
internal readonly record struct Unit;
