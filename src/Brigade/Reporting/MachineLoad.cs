using System.Globalization;

namespace Brigade.Reporting;

/// <summary>What else the machine runs, read from Linux's <c>/proc</c> for <see cref="ForecastSample"/>; null elsewhere.</summary>
internal static class MachineLoad
{
    /// <summary>The threads running or ready to run right now, less the one reading (<c>/proc/stat</c>'s procs_running).</summary>
    public static double? RunnableNow()
    {
        try
        {
            if (!File.Exists("/proc/stat"))
            {
                return null;
            }

            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("procs_running ", StringComparison.Ordinal) &&
                    long.TryParse(line.AsSpan("procs_running ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var running))
                {
                    return Math.Max(0, running - 1);
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// When the scheduler shares the cores between sessions first (Linux autogroup), the runnable threads of every
    /// other session that has some, at most <paramref name="cores"/> each; null when it shares them between threads
    /// or this cannot be read. Reads every process's threads: milliseconds.
    /// </summary>
    public static IReadOnlyList<double>? OtherGroups(int cores) => OtherGroups(cores, reads: 1, TimeSpan.Zero);

    /// <summary>
    /// <see cref="OtherGroups(int)"/> read <paramref name="reads"/> times, <paramref name="gap"/> apart, averaged per group
    /// (a group not ready to run in a reading counts 0 there): one reading catches the groups at one instant, which on a
    /// busy machine is a few of those that share the cores over a second.
    /// </summary>
    public static IReadOnlyList<double>? OtherGroups(int cores, int reads, TimeSpan gap)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var n = Math.Max(1, reads);
        for (var r = 0; r < n; r++)
        {
            if (r > 0 && gap > TimeSpan.Zero)
            {
                Thread.Sleep(gap);
            }

            if (ReadGroups(cores) is not { } groups)
            {
                return null;
            }

            foreach (var (group, runnable) in groups)
            {
                sums[group] = sums.GetValueOrDefault(group) + runnable;
            }
        }

        return [.. sums.Values.Select(v => v / n).Where(static v => v > 0)];
    }

    private static Dictionary<string, int>? ReadGroups(int cores)
    {
        try
        {
            if (!File.Exists("/proc/sys/kernel/sched_autogroup_enabled") || File.ReadAllText("/proc/sys/kernel/sched_autogroup_enabled").Trim() != "1")
            {
                return null;
            }

            var own = Group(Environment.ProcessId);
            var groups = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
                {
                    continue;
                }

                try
                {
                    var runnable = 0;
                    foreach (var task in Directory.EnumerateDirectories(Path.Combine(dir, "task")))
                    {
                        var stat = File.ReadAllText(Path.Combine(task, "stat"));
                        var close = stat.LastIndexOf(')');
                        if (close > 0 && close + 2 < stat.Length && stat[close + 2] == 'R' && ++runnable >= cores)
                        {
                            break;
                        }
                    }

                    if (runnable > 0 && Group(pid) is { } group && group != own)
                    {
                        groups[group] = Math.Min(cores, groups.GetValueOrDefault(group) + runnable);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended while being read.
                }
            }

            return groups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Group(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/autogroup");
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? text[..space] : null;
    }
}
