using System.Globalization;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>Auto mode's worker processes (an isolated engine): what one costs in memory, and how many the machine's memory affords.</summary>
/// <remarks>A worker process is a .NET runtime of its own: tens of megabytes resident before it runs an item, where a dedicated
/// thread reserves a 1.5 MB stack it mostly never touches. A plan of waiting work on worker processes weighs their starts
/// (√(items × time / start): 10,000 items of 1 s, 183 processes) and is held to what the memory affords, not to
/// <see cref="AutoEngineOptions.MaxThreads"/> (review 66).</remarks>
internal static class AutoWorkerProcesses
{
    /// <summary>One worker process's resident memory when no run of the work has measured it (measured on Linux x64, .NET 10,
    /// review 66: 32 MB waiting for its handshake, 40 MB running a small work type, 33 MB of it the runtime's files, which
    /// workers share), rounded up: a worker's own items add to it.</summary>
    public const long StatedWorkerBytes = 48L * 1024 * 1024;

    /// <summary>The share of the available memory worker processes may take: half (each worker's memory is resident,
    /// unlike a thread's stack reservation, and the machine keeps the rest for the host and everything else).</summary>
    public const int MemoryShareDivisor = 2;

    /// <summary>How many worker processes of <paramref name="perWorkerBytes"/> each a share of <paramref name="availableBytes"/>
    /// affords (<see cref="MemoryShareDivisor"/>); at least 1, since a run on worker processes needs one.</summary>
    /// <param name="availableBytes">The memory available for new processes.</param>
    /// <param name="perWorkerBytes">One worker's resident memory.</param>
    public static int Affordable(long availableBytes, long perWorkerBytes) =>
        (int)Math.Clamp(availableBytes / MemoryShareDivisor / Math.Max(1, perWorkerBytes), 1, int.MaxValue);

    /// <summary>The memory available for new processes: the smaller of what the runtime sees left (its total, physical
    /// memory or a container's limit, less the memory load at the last collection, which counts a container's own use) and,
    /// on Linux, <c>/proc/meminfo</c>'s <c>MemAvailable</c> (what the host's other processes leave); 0 when neither is known.</summary>
    public static long AvailableBytes()
    {
        var info = GC.GetGCMemoryInfo();
        return AvailableBytes(info.TotalAvailableMemoryBytes, info.MemoryLoadBytes, MemAvailable());
    }

    /// <summary>The memory available for new processes from the runtime's total and load and the host's <c>MemAvailable</c>
    /// (each 0 when not known). Review 66: the total alone was taken, so a 2 GB container with 1.8 GB in use (or Windows and
    /// macOS, without <c>/proc</c>, whatever other processes held) "afforded" workers for memory already taken.</summary>
    /// <param name="total">The runtime's total available memory (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</param>
    /// <param name="load">The memory in use at the last collection (<see cref="GCMemoryInfo.MemoryLoadBytes"/>; 0 before any).</param>
    /// <param name="memAvailable">The host's <c>MemAvailable</c>, or 0.</param>
    public static long AvailableBytes(long total, long load, long memAvailable)
    {
        var left = load > 0 && total > load ? total - load : total;
        return left > 0 && memAvailable > 0 ? Math.Min(left, memAvailable) : Math.Max(Math.Max(left, memAvailable), 0);
    }

    /// <summary>The largest resident memory among a run's worker processes still alive (read from <c>/proc/PID/status</c>,
    /// Linux; a worker's <see cref="WorkerReport.Location"/> is <c>pid N</c>), or null when none could be read.</summary>
    /// <param name="workers">The run's workers.</param>
    public static long? ResidentBytes(IEnumerable<WorkerReport> workers)
    {
        long? largest = null;
        foreach (var worker in workers)
        {
            if (worker.Location is { } location && location.StartsWith("pid ", StringComparison.Ordinal) &&
                int.TryParse(location.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                StatusKilobytes($"/proc/{pid}/status", "VmRSS:") is { } kb && kb > 0)
            {
                largest = Math.Max(largest ?? 0, kb * 1024);
            }
        }

        return largest;
    }

    private static long MemAvailable() => StatusKilobytes("/proc/meminfo", "MemAvailable:") is { } kb ? kb * 1024 : 0;

    // A "Name:   1234 kB" line of a /proc file, in kilobytes; null when the file or the line is not there (not Linux, a
    // process that has ended).
    private static long? StatusKilobytes(string path, string name)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    var figure = line.AsSpan(name.Length).Trim();
                    var space = figure.IndexOf(' ');
                    return long.TryParse(space > 0 ? figure[..space] : figure, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
