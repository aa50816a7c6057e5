using System.Diagnostics;
using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>
/// Kills a command's process and every process below it, one that left its group included (<c>setsid</c>, a daemon), at
/// the cost of the tree, not of the system (Linux).
/// </summary>
/// <remarks>
/// Before run67 this was <c>Process.Kill(entireProcessTree: true)</c>, which reads every process of the system once per
/// process of the tree: ~156 ms of CPU per killed command on a machine of 138 processes, so that 60 commands timed out
/// cost 12 s of CPU and a stop of 60 running commands took 43 s. Here each process of the tree is stopped (it forks no
/// more), its children are read from <c>/proc/PID/task/TID/children</c>, and the whole tree is then killed. Only a kernel
/// without those files (before 3.5, or built without <c>CONFIG_PROC_CHILDREN</c>) reads every process, once for all the
/// kills that start together (<see cref="Snapshot"/>).
/// </remarks>
internal static class ProcessTree
{
    private static readonly Lock SnapshotGate = new();
    private static readonly Lazy<bool> HasChildrenFiles = new(static () =>
        File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children"));

    // How many times the stopped tree is read at most: the first reading, then again until one finds nothing new.
    private const int MaxPasses = 4;

    private static long _snapshotAt;
    private static Dictionary<int, List<int>>? _snapshot;
    private static int _fullScans;

    /// <summary>Gets how many times every process of the system was read (a kernel without the children files; tests).</summary>
    internal static int FullScans => Volatile.Read(ref _fullScans);

    /// <summary>Reads every process in a test, as a kernel without the children files makes it.</summary>
    internal static readonly AsyncLocal<bool> ForceFullScan = new();

    /// <summary>
    /// Stops <paramref name="root"/> and every process below it (each as soon as it is found), then kills them all (SIGKILL); false when the tree could
    /// not be read (not Linux, <c>/proc</c> unreadable), the caller then kills it as it can.
    /// </summary>
    /// <param name="root">The first process of the command; it must not have been reaped (its id would not be its own).</param>
    /// <param name="killed">Where each process killed is added with its start time (read while it is stopped), for
    /// <see cref="RemoveRuntimeFiles"/> once they are dead; or null.</param>
    public static bool Kill(int root, List<(int Pid, string? StartTime)>? killed = null)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return false;
        }

        var tree = new List<int> { root };
        var seen = new HashSet<int> { root };
        var fullScan = ForceFullScan.Value || !HasChildrenFiles.Value;
        if (!fullScan)
        {
            // Breadth first, each process stopped as soon as it is listed, before anything else is read: a running child
            // may fork and exit between being listed and being stopped (its child then goes to init, out of reach), and a
            // children file is reliable only for a stopped process (the kernel's proc.rst: "some children might be
            // skipped" otherwise). Then the stopped tree is read again, until a reading finds no process it did not know:
            // a stop takes effect a moment after kill() returns, and a child forked in that moment is found there (run68).
            _ = ExecNative.kill(root, ExecNative.SigStop);
            for (var pass = 0; pass < MaxPasses; pass++)
            {
                var known = tree.Count;
                for (var i = 0; i < tree.Count; i++)
                {
                    foreach (var child in Children(tree[i]))
                    {
                        if (seen.Add(child))
                        {
                            _ = ExecNative.kill(child, ExecNative.SigStop);
                            tree.Add(child);
                        }
                    }
                }

                if (pass > 0 && tree.Count == known)
                {
                    break;
                }
            }
        }
        else
        {
            _ = ExecNative.kill(root, ExecNative.SigStop);
            var stoppedAt = Stopwatch.GetTimestamp();
            var parents = Snapshot(stoppedAt);
            for (var i = 0; i < tree.Count; i++)
            {
                if (parents.TryGetValue(tree[i], out var children))
                {
                    foreach (var child in children)
                    {
                        if (seen.Add(child))
                        {
                            _ = ExecNative.kill(child, ExecNative.SigStop);
                            tree.Add(child);
                        }
                    }
                }
            }
        }

        foreach (var pid in tree)
        {
            killed?.Add((pid, Brigade.Internal.RuntimeIpcFiles.StartTime(pid)));
            _ = ExecNative.kill(pid, ExecNative.SigKill);
        }

        return true;
    }

    /// <summary>
    /// Review 72: removes the files the .NET runtime left in the temporary directory for each process of
    /// <paramref name="killed"/> (<see cref="Kill"/>'s) that is dead now: a command may be a .NET program, and one killed
    /// with SIGKILL leaves its debugger FIFOs and diagnostics socket behind. Commands have brigade's TMPDIR. Never throws.
    /// </summary>
    public static void RemoveRuntimeFiles(List<(int Pid, string? StartTime)>? killed)
    {
        if (killed is null)
        {
            return;
        }

        var temporaryDirectory = Environment.GetEnvironmentVariable("TMPDIR");
        foreach (var (pid, startTime) in killed)
        {
            _ = Brigade.Internal.RuntimeIpcFiles.RemoveAfterKill(pid, startTime, temporaryDirectory);
        }
    }

    // The children of every thread of a process; none once it is gone.
    private static List<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // the thread ended meanwhile
                }

                foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                    {
                        children.Add(child);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone: no children to find.
        }

        return children;
    }

    // Every process's children, read once for the kills that stopped their first process before the reading began: a
    // stop of 60 commands reads the system once, not 60 times.
    private static Dictionary<int, List<int>> Snapshot(long stoppedAt)
    {
        lock (SnapshotGate)
        {
            if (_snapshot is not null && _snapshotAt >= stoppedAt)
            {
                return _snapshot;
            }

            var at = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _fullScans);
            var parents = new Dictionary<int, List<int>>();
            try
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                {
                    var name = Path.GetFileName(dir.AsSpan());
                    if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                        ProcessCpuClock.TryReadStat(pid, out _, out var parent, out _, out _))
                    {
                        if (!parents.TryGetValue(parent, out var list))
                        {
                            parents[parent] = list = [];
                        }

                        list.Add(pid);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // What was read so far.
            }

            _snapshot = parents;
            _snapshotAt = at;
            return parents;
        }
    }
}
