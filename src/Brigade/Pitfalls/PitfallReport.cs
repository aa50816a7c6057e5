using System.Diagnostics;

namespace Brigade.Diagnostics;

/// <summary>
/// A detected concurrency pitfall, as data: a stable <see cref="Code"/>, a <see cref="Kind"/>, and the
/// <see cref="Message"/> a user reads (which starts with a stable prefix, see <see cref="PitfallCodes"/>).
/// </summary>
/// <remarks>
/// Every report goes through one channel, <see cref="PitfallDiagnostics"/>: its <see cref="PitfallDiagnostics.Reported"/>
/// event and <see cref="PitfallDiagnostics.Reports"/> list, an <c>ILogger</c> entry whose event id is the code's number,
/// and the <c>brigade.pitfalls</c> counter. Derived types carry the details of each kind.
/// </remarks>
[DebuggerDisplay("{Code,nq} {Message,nq}")]
public abstract class PitfallReport
{
    private protected PitfallReport(PitfallKind kind, string message, DateTimeOffset time)
    {
        Kind = kind;
        Code = PitfallCodes.For(kind);
        Message = message;
        Time = time;
    }

    /// <summary>Gets the kind of pitfall.</summary>
    public PitfallKind Kind { get; }

    /// <summary>Gets the stable code, such as <c>BRG1001</c> (see <see cref="PitfallCodes"/>).</summary>
    public string Code { get; }

    /// <summary>Gets the text a user reads: what happened, who was involved, and what to do about it.</summary>
    public string Message { get; }

    /// <summary>Gets when the pitfall was detected, from the detecting component's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Returns the <see cref="Message"/>.</summary>
    /// <returns>The report's text.</returns>
    public override string ToString() => Message;
}
