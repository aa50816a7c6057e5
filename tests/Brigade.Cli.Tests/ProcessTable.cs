using System.Globalization;

namespace Brigade.Cli.Tests;

/// <summary>Linux processes read from /proc (no procps needed), for tests that check what a killed brigade left behind.</summary>
internal static class ProcessTable
{
    /// <summary>Gets whether the process is alive; a zombie counts as gone (PID 1 of a container may be slow to reap orphans).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Gets every live process: its id, parent, process group and command line.</summary>
    public static List<(int Pid, int ParentPid, int Group, string CommandLine)> List()
    {
        var list = new List<(int, int, int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    continue;
                }

                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                list.Add((pid, int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture), cmdline));
            }
            catch (IOException)
            {
                // The process exited meanwhile.
            }
        }

        return list;
    }

    /// <summary>Gets the live processes whose environment holds <paramref name="marker"/> (inherited by every descendant of a process started with it).</summary>
    public static List<int> WithEnvironment(string marker)
    {
        var found = new List<int>();
        foreach (var (pid, _, _, _) in List())
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/environ").Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours.
            }
        }

        return found;
    }

    /// <summary>
    /// How long a test waits for processes to be gone after what should end them (a kill, a timeout, brigade's exit):
    /// long enough for a machine at load 40 running four test assemblies at once (5 s was not: a cleanup seen at 5.x s),
    /// and free when they go at once, since the wait ends as soon as they are gone. A process that outlives it is a leak.
    /// </summary>
    public static readonly TimeSpan GoneBound = TimeSpan.FromSeconds(30);

    /// <summary>Waits until none of <paramref name="pids"/> is alive, or the time is up; returns those still alive.</summary>
    public static async Task<List<int>> WaitGoneAsync(IEnumerable<int> pids, TimeSpan within)
    {
        var watched = pids.ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (watched.Any(IsAlive) && clock.Elapsed < within)
        {
            await Task.Delay(50);
        }

        return watched.Where(IsAlive).ToList();
    }

    /// <summary>Kills what a failed test left behind.</summary>
    public static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids.Where(IsAlive))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
