using System.Globalization;

namespace Brigade.Doctor.Capture;

/// <summary>One line of <c>/proc/PID/maps</c>: an address range, its protection, and the file it maps (if any).</summary>
internal sealed record MemoryMapping(ulong Start, ulong End, bool Readable, bool Writable, bool Executable, ulong Offset, ulong Inode, string Path)
{
    /// <summary>Gets whether it maps a file (NT_FILE lists these): a path and an inode.</summary>
    public bool IsFile => Inode != 0 && Path.StartsWith('/');

    /// <summary>Gets whether a core file leaves it out, as the kernel and gdb do: the kernel's <c>[vvar]</c> and
    /// <c>[vsyscall]</c> pages, and device mappings (reading them may have effects); shared memory in <c>/dev/shm</c> and
    /// <c>/dev/zero</c> (anonymous shared memory) is memory.</summary>
    public bool IsSpecial =>
        Path.StartsWith("[vvar", StringComparison.Ordinal) || Path == "[vsyscall]"
        || (Path.StartsWith("/dev/", StringComparison.Ordinal) && !Path.StartsWith("/dev/shm/", StringComparison.Ordinal) && !Path.StartsWith("/dev/zero", StringComparison.Ordinal));

    /// <summary>Reads the process's mappings.</summary>
    public static List<MemoryMapping> Read(int processId)
    {
        var mappings = new List<MemoryMapping>();
        foreach (var line in File.ReadLines($"/proc/{processId}/maps"))
        {
            // start-end perms offset dev inode [path, which may hold spaces]
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5)
            {
                continue;
            }

            var range = fields[0].Split('-');
            var perms = fields[1];
            mappings.Add(new MemoryMapping(
                ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                perms[0] == 'r',
                perms[1] == 'w',
                perms[2] == 'x',
                ulong.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture),
                fields.Length > 5 ? fields[5].TrimStart() : ""));
        }

        return mappings;
    }
}
