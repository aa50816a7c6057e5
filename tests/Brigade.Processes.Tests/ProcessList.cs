namespace Brigade.Processes.Tests;

/// <summary>The OS's view of processes (Linux /proc): whether a pid is alive, and this process's worker children.</summary>
internal static class ProcessList
{
    /// <summary>Whether the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Live children of <paramref name="parent"/> running the Brigade worker host.</summary>
    public static List<int> WorkerChildren(int parent)
    {
        var found = new List<int>();
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
                if (fields[0] is "Z" or "X" || int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != parent)
                {
                    continue;
                }

                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("Brigade.Processes.Worker", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Kills the processes whose command line (NUL-separated) is exactly <paramref name="commandLine"/>.</summary>
    public static void KillAll(string commandLine)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")) == commandLine)
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>
    /// How long a test waits for worker processes to be gone after what should end them (a kill, a disposal, a grace
    /// that ran out): long enough for a machine at load 40 running four test assemblies at once (5 s was not), and free
    /// when they go at once, since the wait ends as soon as they are gone. A worker that outlives it is a leak.
    /// </summary>
    public static readonly TimeSpan GoneBound = TimeSpan.FromSeconds(30);

    /// <summary>Waits until none of the pids is alive, up to the timeout; returns those still alive.</summary>
    public static async Task<List<int>> WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<int> alive;
        do
        {
            alive = pids.Where(IsAlive).ToList();
            if (alive.Count == 0)
            {
                return alive;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        return alive;
    }
}
