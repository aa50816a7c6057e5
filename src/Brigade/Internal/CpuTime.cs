using Brigade.Internal;

namespace Brigade.Diagnostics;

/// <summary>The CPU time the calling thread has used, where the operating system reports it (Linux, macOS, Windows).</summary>
/// <remarks>
/// Brigade's reports use it per batch, and so does Brigade's own code that runs work elsewhere (the worker process, the
/// silo, the reference workloads), so that all measure the same way; internal, since users read CPU time from the
/// report. Each reading is a system call of about half a microsecond: read it around pieces of work, not around every
/// tiny item.
/// </remarks>
internal static class CpuTime
{
    /// <summary>Gets whether per-thread CPU time can be measured here.</summary>
    public static bool IsSupported => ThreadCpuTime.IsSupported;

    /// <summary>Gets the CPU time (user and system) the calling thread has used, or <see langword="null"/> where it cannot be measured.</summary>
    public static TimeSpan? CurrentThread => ThreadCpuTime.NowTicks() is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;
}
