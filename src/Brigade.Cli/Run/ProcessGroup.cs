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
                    TryReadStat(pid, out var state, out var group) && group == groupId && state is not ((byte)'Z' or (byte)'X'))
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

    // /proc/PID/stat: after the command name (which may hold spaces and parentheses, so the last ')' ends it), state(3) ppid(4) pgrp(5).
    private static bool TryReadStat(int pid, out byte state, out int group)
    {
        state = 0;
        group = 0;
        Span<byte> buffer = stackalloc byte[1024];
        int length;
        try
        {
            using var handle = File.OpenHandle($"/proc/{pid}/stat");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile
        }

        var text = buffer[..length];
        var close = text.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var field = 2;
        var rest = text[(close + 1)..];
        foreach (var range in rest.Split((byte)' '))
        {
            var part = rest[range];
            if (part.Length == 0)
            {
                continue;
            }

            field++;
            if (field == 3)
            {
                state = part[0];
            }
            else if (field == 5)
            {
                return int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out group);
            }
        }

        return false;
    }
}
