using System.Globalization;
using Brigade.Internal;

namespace Brigade.Doctor.Capture;

/// <summary>What <c>/proc</c> says about a process: its name, its user, whether the .NET runtime is loaded in it.</summary>
internal sealed class TargetProcess
{
    private TargetProcess(int id, string name, uint userId, uint groupId, long? residentBytes, char state, int tracerId, string? startedAt)
    {
        Id = id;
        Name = name;
        UserId = userId;
        GroupId = groupId;
        ResidentBytes = residentBytes;
        State = state;
        TracerId = tracerId;
        StartedAt = startedAt;
    }

    public int Id { get; }

    public string Name { get; }

    public uint UserId { get; }

    public uint GroupId { get; }

    /// <summary>Gets the process's resident memory (VmRSS), or null when unknown.</summary>
    public long? ResidentBytes { get; }

    /// <summary>Gets the process's state letter from <c>/proc</c>: <c>T</c> stopped by a signal, <c>t</c> stopped by a tracer, ...</summary>
    public char State { get; }

    /// <summary>Gets the process that traces this one (a debugger), or 0.</summary>
    public int TracerId { get; }

    /// <summary>Gets whether the process is stopped by a signal (<c>kill -STOP</c>, Ctrl+Z): it cannot run its
    /// diagnostics server, so it cannot write a dump until it is resumed.</summary>
    public bool IsStopped => State == 'T';

    /// <summary>Gets whether the process has ended and only its exit status is left (<c>Z</c>, a zombie its parent has not
    /// reaped yet, or <c>X</c>): it runs nothing, its memory is gone.</summary>
    public bool IsDead => State is 'Z' or 'X';

    /// <summary>Gets the process's start time when it was read (field 22 of <c>/proc/PID/stat</c>), or null: with the id,
    /// it tells this process from a later one that was given the same id.</summary>
    public string? StartedAt { get; }

    public static TargetProcess Read(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (pid <= 0 || !File.Exists(status))
        {
            throw new DoctorException(DoctorErrorKind.NoSuchProcess, $"no process with id {pid}");
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(status);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DoctorException(DoctorErrorKind.NoSuchProcess, $"no process with id {pid} (it exited)", e);
        }

        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "";
        uint FirstNumber(string value) => uint.TryParse(value.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        long? resident = long.TryParse(Field("VmRSS").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
        var state = Field("State") is { Length: > 0 } text ? text[0] : '?';
        return new TargetProcess(pid, Field("Name"), FirstNumber(Field("Uid")), FirstNumber(Field("Gid")), resident, state, (int)FirstNumber(Field("TracerPid")), ReadStat(pid)?.StartTime);
    }

    /// <summary>
    /// Review 68: whether this process has ended since it was read: <c>/proc</c> no longer has it, it is dead (a zombie, which
    /// stays until its parent reaps it: a target killed while it is dumped is one when its parent is a shell that waits
    /// for it later), or its id now belongs to a process that started at another time. A process whose <c>/proc</c> cannot
    /// be read for another reason (permission) counts as living.
    /// </summary>
    public bool HasEnded()
    {
        var stat = RuntimeIpcFiles.ReadStat(Id, out var gone);
        return gone || stat is { State: 'Z' or 'X' } || (stat is { StartTime: { } now } && StartedAt is not null && now != StartedAt);
    }

    /// <summary>
    /// Gets whether this process published a diagnostics endpoint in <paramref name="directory"/>: the runtime names its
    /// socket <c>dotnet-diagnostic-{pid}-{start time}-socket</c>, the start time in clock ticks since boot as
    /// <c>/proc/PID/stat</c> gives it. A socket whose start time differs was left by an earlier process that had the
    /// same id (killed before it could remove it): it is not this process's. Null when the start time cannot be read.
    /// </summary>
    public bool? HasDiagnosticsEndpoint(string directory)
    {
        var start = StartTime();
        return start is null ? null : File.Exists(Path.Combine(directory, RuntimeIpcFiles.SocketName(Id, start)));
    }

    /// <summary>Gets the process's start time (field 22 of <c>/proc/PID/stat</c>, clock ticks since boot), or null.</summary>
    private string? StartTime() => ReadStat(Id)?.StartTime;

    // The reader is shared with whoever kills a .NET process and removes its runtime's files (review 72).
    private static (char State, string? StartTime)? ReadStat(int pid) => RuntimeIpcFiles.ReadStat(pid, out _);

    /// <summary>
    /// Gets the size of the process's writable mappings (<c>/proc/PID/maps</c>), or null when they cannot be read: what a
    /// dump "with heap" holds, near enough. Each thread's whole stack mapping is in it, touched or not, so a process with
    /// many threads writes a dump far larger than its resident memory (250 threads of 8 MB stacks: 2.2 GB for 35 MB
    /// resident).
    /// </summary>
    public long? WritableMappingBytes()
    {
        try
        {
            long total = 0;
            foreach (var line in File.ReadLines($"/proc/{Id}/maps"))
            {
                // "start-end perms offset dev inode [path]"
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var dash = line.IndexOf('-', StringComparison.Ordinal);
                if (space < 0 || dash < 0 || dash > space || line.Length < space + 3 || line[space + 2] != 'w')
                {
                    continue;
                }

                if (ulong.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
                    && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
                    && end > start)
                {
                    total += (long)Math.Min(end - start, (ulong)long.MaxValue / 4);
                }
            }

            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the process's state again (it may have been stopped or resumed since).</summary>
    public TargetProcess Refresh() => Read(Id);

    /// <summary>Gets the ids of the process's child processes (every thread's children), or none when they cannot be read.</summary>
    public IReadOnlyList<int> Children()
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                    {
                        children.Add(child);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited meanwhile, or /proc hides its tasks: no children known.
        }

        return children;
    }

    /// <summary>Gets a process's command line (arguments separated by spaces), or null when it cannot be read.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gets whether the process maps the CoreCLR runtime, or null when its memory map cannot be read.</summary>
    public bool? LoadsCoreClr()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Id}/maps"))
            {
                if (line.EndsWith("/libcoreclr.so", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string UserName(uint userId)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var parts = line.Split(':');
                if (parts.Length > 2 && parts[2] == userId.ToString(CultureInfo.InvariantCulture))
                {
                    return parts[0];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unnamed: the uid is shown instead.
        }

        return $"uid {userId}";
    }
}
