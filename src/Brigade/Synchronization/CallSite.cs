using System.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>Where an acquisition was asked for: caller information (free) and, when enabled, a stack trace.</summary>
internal readonly struct CallSite(string? member, string? file, int line, StackTrace? trace)
{
    public bool IsKnown => file is not null;

    public static CallSite Capture(SynchronizationPrimitive primitive, string member, string file, int line) =>
        primitive.DetectsPitfalls
            ? new(member, file, line, primitive.Diagnostics.CaptureStackTraces ? new StackTrace(2, fNeedFileInfo: true) : null)
            : default;

    public AcquisitionSite? ToPublic() => file is null ? null : new AcquisitionSite(member ?? "", file, line, trace?.ToString());
}
