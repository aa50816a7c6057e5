namespace Brigade.Diagnostics;

/// <summary>How a tracked variable was accessed, in a <see cref="RaceAccess"/>.</summary>
public enum AccessKind
{
    /// <summary>A plain read (<c>Shared&lt;T&gt;.Read</c>).</summary>
    Read = 1,

    /// <summary>A plain write (<c>Shared&lt;T&gt;.Write</c>).</summary>
    Write = 2,

    /// <summary>An atomic read that acquires what was published (<c>Shared&lt;T&gt;.ReadAcquire</c>).</summary>
    AtomicRead = 3,

    /// <summary>An atomic write or read-modify-write that publishes (<c>WriteRelease</c>, <c>Exchange</c>, <c>CompareExchange</c>, <c>Update</c>, <c>Increment</c>).</summary>
    AtomicWrite = 4,
}
