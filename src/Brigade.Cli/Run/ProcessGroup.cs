using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>Reads a process group's members from <c>/proc</c> (Linux).</summary>
internal static class ProcessGroup
{
    /// <summary>
    /// Gets whether a process that has not exited is in group <paramref name="groupId"/>; null when <c>/proc</c> cannot
    /// be read. Zombies do not count: a command's first process is kept as one until its output closes (its id is its
    /// group's, which must not be reused meanwhile), and <c>kill(-group, 0)</c> succeeds for as long as it is there, so
    /// the kernel's answer would be "alive" for a group whose every process is gone.
    /// </summary>
    public static bool? HasLiveMember(int groupId)
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(dir.AsSpan());
                if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                    ProcessCpuClock.TryReadStat(pid, out _, out var group, out var state) && group == groupId && state is not ((byte)'Z' or (byte)'X'))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return false;
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
