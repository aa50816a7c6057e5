using System.Globalization;

namespace Brigade.Doctor.Capture;

/// <summary>What <c>/proc</c> says about a process: its name, its user, whether the .NET runtime is loaded in it.</summary>
internal sealed class TargetProcess
{
    private TargetProcess(int id, string name, uint userId, uint groupId, long? residentBytes)
    {
        Id = id;
        Name = name;
        UserId = userId;
        GroupId = groupId;
        ResidentBytes = residentBytes;
    }

    public int Id { get; }

    public string Name { get; }

    public uint UserId { get; }

    public uint GroupId { get; }

    /// <summary>Gets the process's resident memory (VmRSS), or null when unknown.</summary>
    public long? ResidentBytes { get; }

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
        return new TargetProcess(pid, Field("Name"), FirstNumber(Field("Uid")), FirstNumber(Field("Gid")), resident);
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
