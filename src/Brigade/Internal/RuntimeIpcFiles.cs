using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Brigade.Internal;

/// <summary>
/// Review 72: the files the .NET runtime makes for every process in its temporary directory (<c>$TMPDIR</c>, else
/// <c>/tmp</c>): the debugger's FIFOs <c>clr-debug-pipe-PID-START-in</c> and <c>-out</c>, and the diagnostics socket
/// <c>dotnet-diagnostic-PID-START-socket</c>, START the process's start time in clock ticks since boot (field 22 of
/// <c>/proc/PID/stat</c>). A process that exits removes them; one killed with SIGKILL leaves them forever (52,000 were
/// found in one machine's <c>/tmp</c>). Whoever kills a .NET process it started removes them once its death is seen.
/// Linux only: elsewhere nothing is read or removed.
/// </summary>
internal static unsafe partial class RuntimeIpcFiles
{
    // statx(2): the same layout on every architecture (stx_mode at 28, stx_ctime at 96, stx_mtime at 112; 256 bytes).
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeAndTimes = 0x1 | 0x40 | 0x80;
    private const int FileTypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int Socket = 0xC000;

    /// <summary>Gets a process's start time (field 22 of <c>/proc/PID/stat</c>, clock ticks since boot), or null when
    /// it cannot be read (not Linux, gone, not readable): read while the process lives, it names its files.</summary>
    public static string? StartTime(int pid) => OperatingSystem.IsLinux() && pid > 0 ? ReadStat(pid, out _)?.StartTime : null;

    /// <summary>The state letter and the start time (clock ticks since boot) in <c>/proc/PID/stat</c>, or null when it
    /// cannot be read; <paramref name="gone"/> says whether that is because the process is gone.</summary>
    public static (char State, string? StartTime)? ReadStat(int pid, out bool gone)
    {
        gone = false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The name (field 2) is in parentheses and may hold spaces and parentheses: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].Length == 0)
            {
                return null;
            }

            var start = fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? fields[19] : null;
            return (fields[0][0], start);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            gone = true;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An error while the file is read (ESRCH: it ended between open and read) is an end only when the file is gone.
            gone = e is IOException && !File.Exists($"/proc/{pid}/stat");
            return null;
        }
    }

    /// <summary>Gets the name of the diagnostics socket the runtime of process <paramref name="pid"/> started at
    /// <paramref name="startTime"/> makes (no directory).</summary>
    public static string SocketName(int pid, string startTime) => $"dotnet-diagnostic-{pid}-{startTime}-socket";

    /// <summary>Gets the <c>TMPDIR</c> a process started with <paramref name="start"/> was given (its runtime's
    /// temporary directory when not empty, else <c>/tmp</c>), or null when it had none.</summary>
    public static string? TemporaryDirectoryOf(ProcessStartInfo start)
    {
        try
        {
            return start.Environment.TryGetValue("TMPDIR", out var value) ? value : null;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes the runtime's files of process <paramref name="pid"/>, which was killed and whose death was seen (reaped,
    /// or a zombie): its socket when it has the start time <paramref name="startTime"/> read while it lived, its two
    /// FIFOs when they are FIFOs with that start time and were not changed after this call began (a process given the
    /// same id later has another start time and newer files: never removed). Nothing while a process with that id and
    /// start time still runs. Never throws: a file that cannot be removed stays.
    /// </summary>
    /// <param name="pid">The process's id.</param>
    /// <param name="startTime">Its start time (<see cref="StartTime"/>, read while it lived), or null: then nothing.</param>
    /// <param name="temporaryDirectory">The process's <c>TMPDIR</c> (<see cref="TemporaryDirectoryOf"/>), null when it had none.</param>
    /// <returns>How many files were removed.</returns>
    public static int RemoveAfterKill(int pid, string? startTime, string? temporaryDirectory)
    {
        if (!OperatingSystem.IsLinux() || pid <= 0 || startTime is null)
        {
            return 0;
        }

        try
        {
            var since = DateTime.UtcNow;
            var now = ReadStat(pid, out var gone);
            if (!gone && (now is null || (now.Value.StartTime == startTime && now.Value.State is not ('Z' or 'X'))))
            {
                // Still running (or unreadable): its files are its own.
                return 0;
            }

            // As the runtime does: TMPDIR when it is set and not empty, else /tmp.
            var directory = string.IsNullOrEmpty(temporaryDirectory) ? "/tmp" : temporaryDirectory;
            var removed = 0;
            removed += Remove(Path.Combine(directory, SocketName(pid, startTime)), Socket, since);
            removed += Remove(Path.Combine(directory, $"clr-debug-pipe-{pid}-{startTime}-in"), Fifo, since);
            removed += Remove(Path.Combine(directory, $"clr-debug-pipe-{pid}-{startTime}-out"), Fifo, since);
            return removed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or EntryPointNotFoundException or DllNotFoundException)
        {
            return 0;
        }
    }

    // Removes a file of the given type (FIFO or socket) that was not changed at or after 'since' (less a moment: the
    // kernel stamps files with a coarse clock, up to a tick (at most 10 ms) behind); 0 when it is not there, of another
    // type, or newer.
    private static int Remove(string path, int type, DateTime since)
    {
        Span<byte> buffer = stackalloc byte[256];
        buffer.Clear();
        fixed (byte* b = buffer)
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxTypeAndTimes, b) != 0)
            {
                return 0;
            }
        }

        var mode = BitConverter.ToUInt16(buffer[28..]);
        var changed = Math.Max(Seconds(buffer[96..]), Seconds(buffer[112..]));
        var before = (since - DateTime.UnixEpoch - TimeSpan.FromMilliseconds(20)).TotalSeconds;
        if ((mode & FileTypeMask) != type || changed >= before)
        {
            return 0;
        }

        try
        {
            File.Delete(path);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static double Seconds(ReadOnlySpan<byte> timestamp) => BitConverter.ToInt64(timestamp) + (BitConverter.ToUInt32(timestamp[8..]) / 1e9);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
