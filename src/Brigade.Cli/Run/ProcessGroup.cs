using System.Diagnostics;
using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>Reads a process group's members from <c>/proc</c> (Linux).</summary>
internal static class ProcessGroup
{
    // One reading of the system at a time; the last one, shared by the waits that ask at about the same time: the groups
    // with a live member (null: /proc unreadable), and when it began.
    private static readonly SemaphoreSlim ReadingGate = new(1, 1);
    private static HashSet<int>? _liveGroups;
    private static long _readAt = long.MinValue;
    private static int _scans;

    /// <summary>Gets how many times every process of the system was read for a group's members (tests).</summary>
    internal static int Scans => Volatile.Read(ref _scans);

    /// <summary>
    /// Gets whether group <paramref name="groupId"/> has a process that has not exited, null when <c>/proc</c> cannot be
    /// read, from a reading of every process begun at <paramref name="notBefore"/> or later (a <see cref="Stopwatch"/>
    /// timestamp). Zombies do not count: a command's first process is kept as one until its output closes (its id is its
    /// group's, which must not be reused meanwhile), and <c>kill(-group, 0)</c> succeeds for as long as it is there, so
    /// the kernel's answer would be "alive" for a group whose every process is gone.
    /// </summary>
    /// <remarks>
    /// The waits for commands killed together (<c>--fail-fast</c>, Ctrl+C: 40 at once) share the readings, one at a time:
    /// before run68 each wait read the system itself, 40 readings or more per round on the pool's few threads, which the
    /// kills of the next commands then waited for (a <c>--fail-fast</c> run of 40 commands at load 28: 1.1-1.4 s from the
    /// failure to the end, most of it reading /proc).
    /// </remarks>
    public static async Task<bool?> HasLiveMemberAsync(int groupId, long notBefore)
    {
        await ReadingGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_readAt < notBefore)
            {
                _readAt = Stopwatch.GetTimestamp();
                _liveGroups = LiveGroups();
            }

            return _liveGroups?.Contains(groupId);
        }
        finally
        {
            ReadingGate.Release();
        }
    }

    // The groups that have a process that has not exited; null when /proc cannot be read.
    private static HashSet<int>? LiveGroups()
    {
        Interlocked.Increment(ref _scans);
        var groups = new HashSet<int>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                    ProcessCpuClock.TryReadStat(pid, out _, out var group, out var state) && state is not ((byte)'Z' or (byte)'X'))
                {
                    groups.Add(group);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return groups;
    }

    /// <summary>Gets the processes of group <paramref name="groupId"/> that have not exited, with their names
    /// (<c>/proc/PID/comm</c>), lowest pid first; none when <c>/proc</c> cannot be read.</summary>
    public static List<(int Pid, string Name)> LiveMembers(int groupId)
    {
        var members = new List<(int Pid, string Name)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                    ProcessCpuClock.TryReadStat(pid, out _, out var group, out var state) && group == groupId && state is not ((byte)'Z' or (byte)'X'))
                {
                    members.Add((pid, Comm(dir)));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What was found so far.
        }

        members.Sort();
        return members;
    }

    private static string Comm(string dir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
