using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>The base of exceptions that carry a <see cref="PitfallReport"/>: the pitfall was detected and refused.</summary>
public abstract class PitfallException : Exception
{
    private protected PitfallException(PitfallReport report)
        : base(report.Message)
    {
        Report = report;
    }

    private protected PitfallException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the report of the pitfall (also published on <see cref="PitfallDiagnostics"/>); null only for exceptions built from a bare message.</summary>
    public PitfallReport? Report { get; }

    /// <summary>Gets the stable code of the pitfall, such as <c>BRG1001</c>, or null without a report.</summary>
    public string? Code => Report?.Code;
}
