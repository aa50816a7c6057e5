using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>One of the two accesses of a data race: what it did, who did it and where.</summary>
public sealed class RaceAccess
{
    internal RaceAccess(AccessKind kind, string flow, AcquisitionSite? site, bool byThread = false)
    {
        Kind = kind;
        Flow = flow;
        Site = site;
        ByThread = byThread;
    }

    /// <summary>Gets whether the access was made by a thread outside every logical flow (no <c>RaceDetector.Run</c>,
    /// <c>EnterFlow</c> or engine worker around it).</summary>
    internal bool ByThread { get; }

    /// <summary>Gets whether the access read or wrote, plainly or atomically.</summary>
    public AccessKind Kind { get; }

    /// <summary>Gets the thread or logical flow that made it, such as <c>thread 'adder-1' (#12)</c>.</summary>
    public string Flow { get; }

    /// <summary>Gets the caller's member, file and line, with the stack trace when one was captured.</summary>
    public AcquisitionSite? Site { get; }

    /// <summary>Gets a short description, such as <c>a write by thread 'adder-1' (#12)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Describe(Kind)} by {Flow}";

    internal static string Describe(AccessKind kind) => kind is AccessKind.Read or AccessKind.Write ? "a " + Noun(kind) : "an " + Noun(kind);

    internal static string Noun(AccessKind kind) => kind switch
    {
        AccessKind.Read => "read",
        AccessKind.Write => "write",
        AccessKind.AtomicRead => "atomic read",
        _ => "atomic write",
    };
}
