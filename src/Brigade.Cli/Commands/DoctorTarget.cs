using System.Globalization;
using Brigade.Doctor;
using Brigade.Doctor.Capture;

namespace Brigade.Cli.Commands;

/// <summary>
/// Review 71: what <c>brigade doctor TARGET</c> names. An existing file is a dump, as before; a positive number is a process
/// id, as before; a directory or a path with a '/' is a dump (its error says why not); zero or a negative number is no pid
/// (before: "no dump file '-5'"); any other word names running
/// .NET processes, as <c>dotnet-dump collect -n NAME</c> and <c>dotnet-trace -n NAME</c> take it: the process's name
/// (<c>/proc/PID/comm</c>, whole where the kernel cut it at 15 characters: the executable's file name), or for
/// <c>dotnet app.dll</c> the app's (<c>app</c> or <c>app.dll</c>), compared ignoring case as .NET's
/// <c>Process.GetProcessesByName</c> does. A process is .NET when it maps <c>libcoreclr.so</c> or, where its map cannot be
/// read (another user's), when it published a diagnostics endpoint (what dotnet-diagnostics lists).
/// </summary>
internal static class DoctorTarget
{
    /// <summary>The longest process name the kernel keeps (TASK_COMM_LEN 16, less the terminating zero).</summary>
    private const int CommLength = 15;

    /// <summary>Resolves the positional target: a process id, a dump path, or the processes a name matched.</summary>
    /// <exception cref="CliUsageException">Zero or a negative number; a name of several .NET processes.</exception>
    public static (int? ProcessId, string? DumpPath, string? Name) Resolve(string given)
    {
        // A number that is not a file's name is a process, as before review 71 (even where a directory has that name).
        if (File.Exists(given))
        {
            return (null, given, null);
        }

        if (int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return (number, null, null);
        }

        if (Directory.Exists(given) || given.Contains('/', StringComparison.Ordinal) || given.Length == 0)
        {
            return (null, given, null);
        }

        if (long.TryParse(given, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed) && signed <= 0)
        {
            throw new CliUsageException($"doctor: '{given}' is not a pid (a process id is 1 or more), nor a file");
        }

        var found = FindDotNetProcesses(given);
        return found switch
        {
            [var only] => (only, null, given),
            [] => throw new CliUsageException($"doctor: no dump file '{given}' (not a file, not a running .NET process's name, not a pid)"),
            _ => throw new CliUsageException(
                $"doctor: '{given}' names {found.Count} running .NET processes (pids {string.Join(", ", found)}): give one of them, brigade doctor PID"),
        };
    }

    /// <summary>The running .NET processes that <paramref name="name"/> names, this one and its ancestors left out (a
    /// <c>brigade</c> runs itself again), in id order.</summary>
    public static IReadOnlyList<int> FindDotNetProcesses(string name)
    {
        var mine = Lineage(Environment.ProcessId);
        var found = new List<int>();
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return found;
        }

        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || mine.Contains(pid))
            {
                continue;
            }

            var comm = Read($"/proc/{pid}/comm")?.TrimEnd('\n');
            if (comm is null)
            {
                continue;
            }

            var arguments = Read($"/proc/{pid}/cmdline")?.Split('\0', StringSplitOptions.RemoveEmptyEntries) ?? [];
            string? executable = null;
            try
            {
                executable = new FileInfo($"/proc/{pid}/exe").LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process: its name and command line still say enough.
            }

            if (Matches(name, comm, executable, arguments) && IsLiveDotNet(pid))
            {
                found.Add(pid);
            }
        }

        found.Sort();
        return found;
    }

    /// <summary>Whether <paramref name="name"/> is the name of the process whose <c>comm</c>, executable (null when it
    /// cannot be read) and command line are given.</summary>
    internal static bool Matches(string name, string comm, string? executable, IReadOnlyList<string> arguments)
    {
        var processName = comm;
        if (comm.Length >= CommLength)
        {
            // The kernel cut it: the executable's file name (or the command's first word) that begins with it is the name.
            var whole = new[] { executable, arguments.Count > 0 ? arguments[0] : null }
                .Select(p => p is null ? null : Path.GetFileName(p))
                .FirstOrDefault(n => n is not null && n.StartsWith(comm, StringComparison.Ordinal));
            processName = whole ?? comm;
        }

        if (string.Equals(name, processName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // `dotnet app.dll` (or `dotnet exec [options] app.dll`): the app's name, with or without .dll.
        var host = Path.GetFileName(executable ?? (arguments.Count > 0 ? arguments[0] : ""));
        if (!string.Equals(comm, "dotnet", StringComparison.Ordinal) && !string.Equals(host, "dotnet", StringComparison.Ordinal))
        {
            return false;
        }

        var app = arguments.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return app is not null
            && (string.Equals(name, Path.GetFileName(app), StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, Path.GetFileNameWithoutExtension(app), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the process runs (not a zombie) and is .NET: it maps the runtime, or it published a diagnostics
    /// endpoint of its own (a single-file app has the runtime in its executable; another user's map cannot be read).</summary>
    private static bool IsLiveDotNet(int pid)
    {
        TargetProcess process;
        try
        {
            process = TargetProcess.Read(pid);
        }
        catch (DoctorException)
        {
            return false;   // Ended meanwhile.
        }

        return !process.IsDead && (process.LoadsCoreClr() == true || process.HasDiagnosticsEndpoint(Path.GetTempPath()) == true);
    }

    /// <summary>This process and its ancestors.</summary>
    private static HashSet<int> Lineage(int pid)
    {
        var lineage = new HashSet<int>();
        while (pid > 1 && lineage.Add(pid))
        {
            var parent = Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
            if (parent is null || !int.TryParse(parent[5..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pid))
            {
                break;
            }
        }

        return lineage;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
