using System.Globalization;

namespace Brigade.Doctor.Capture;

/// <summary>What <c>/proc</c> says about a process: its name, its user, whether the .NET runtime is loaded in it.</summary>
internal sealed class TargetProcess
{
    private TargetProcess(int id, string name, uint userId, uint groupId, long? residentBytes, char state, int tracerId)
    {
        Id = id;
        Name = name;
        UserId = userId;
        GroupId = groupId;
        ResidentBytes = residentBytes;
        State = state;
        TracerId = tracerId;
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
        return new TargetProcess(pid, Field("Name"), FirstNumber(Field("Uid")), FirstNumber(Field("Gid")), resident, state, (int)FirstNumber(Field("TracerPid")));
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
