using System.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>Where an acquisition was asked for: caller information (free) and, when enabled, a stack trace.</summary>
internal readonly struct CallSite(string? member, string? file, int line, StackTrace? trace)
{
    private const string OwnFrames = "   at Brigade.Synchronization.";

    public bool IsKnown => file is not null;

    public string? Member => member;

    public string? File => file;

    public int Line => line;

    public StackTrace? Trace => trace;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static CallSite Capture(SynchronizationPrimitive primitive, string member, string file, int line) =>
        primitive.DetectsPitfalls
            ? new(member, file, line, primitive.Diagnostics.CaptureStackTraces ? new StackTrace(1, fNeedFileInfo: true) : null)
            : default;

    public AcquisitionSite? ToPublic() => file is null ? null : new AcquisitionSite(member ?? "", file, line, UserFrames(trace));

    /// <summary>Renders the trace without Brigade's own leading frames (how many there are depends on inlining).</summary>
    private static string? UserFrames(StackTrace? trace)
    {
        if (trace is null)
        {
            return null;
        }

        var lines = trace.ToString().Split('\n');
        var first = 0;
        while (first < lines.Length && lines[first].StartsWith(OwnFrames, StringComparison.Ordinal))
        {
            first++;
        }

        return string.Join('\n', lines, first, lines.Length - first);
    }
}
