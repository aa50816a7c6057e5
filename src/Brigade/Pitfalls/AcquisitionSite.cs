namespace Brigade.Synchronization;

/// <summary>Where an acquisition was made: the caller's member, file and line, and its stack trace when captured.</summary>
/// <remarks>Member, file and line come from caller-information attributes and cost nothing at run time; stack traces
/// are captured only when <see cref="Diagnostics.PitfallDiagnostics.CaptureStackTraces"/> is on.</remarks>
public sealed class AcquisitionSite
{
    internal AcquisitionSite(string member, string filePath, int line, string? stackTrace)
    {
        Member = member;
        FilePath = filePath;
        Line = line;
        StackTrace = stackTrace;
    }

    /// <summary>Gets the calling member, such as <c>Transfer</c>.</summary>
    public string Member { get; }

    /// <summary>Gets the full path of the calling source file, as compiled.</summary>
    public string FilePath { get; }

    /// <summary>Gets the line of the call.</summary>
    public int Line { get; }

    /// <summary>Gets the stack trace of the acquisition, when stack traces were captured.</summary>
    public string? StackTrace { get; }

    /// <summary>Returns the site as <c>File.cs:42 in Member</c>.</summary>
    /// <returns>The short form of the site.</returns>
    public override string ToString() => $"{Path.GetFileName(FilePath)}:{Line} in {Member}";
}
