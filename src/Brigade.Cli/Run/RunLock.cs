using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Keeps two <c>brigade run</c>s off the same output and journal at once. Each run holds an exclusive <c>flock</c> on a
/// small file named after each file it writes to and may truncate on resume (its output, when that is a file, its
/// journal and its failures file) in brigade's state directory (<c>locks/</c>), with its pid in it; a second run finds it held and stops in one line naming the first run's pid, before it reads or touches
/// anything. Before, two runs started together both failed, one with a bare "no such file" (they raced for the
/// journal's temporary file), and a second run started later was told to delete the first one's live journal, or, with
/// <c>--resume</c>, wrote into the same output as it.
/// </summary>
/// <remarks>
/// The kernel drops a lock when its holder dies, however it dies, so a stale lock file stops nothing. The descriptor is
/// close-on-exec: the commands (and a background child that outlives brigade) never hold it. The files are not
/// deleted (removing a lock file races with a run opening it); each is a few bytes, one per output path ever used. Best
/// effort: where the state directory cannot be written, or elsewhere than Linux and macOS, runs are not locked.
/// </remarks>
internal sealed class RunLock : IDisposable
{
    // How long a lock this process released, still held by a child between its fork and its exec, is waited for.
    private static readonly TimeSpan ForkWindow = TimeSpan.FromSeconds(5);

    // The lock files this process holds (runs in one process: tests, a host running the CLI in-process).
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);

    private readonly List<(int Descriptor, string File)> _descriptors;

    private RunLock(List<(int Descriptor, string File)> descriptors) => _descriptors = descriptors;

    /// <summary>Locks the output of a run (a file path), its journal and its failures file.</summary>
    /// <exception cref="CliUsageException">Another run holds one of them.</exception>
    public static RunLock Take(RunPaths paths)
    {
        var held = new List<(int Descriptor, string File)>();
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return new RunLock(held);
        }

        // The output file when there is one, and the journal and failures file whatever the output: two runs with
        // different outputs and one --journal (or --failures) would truncate each other's file to their own watermarks.
        // Until run58 only the output was locked when it was a file, so a second run on a live --journal was told to
        // "delete it to start over", and two started together failed with "The file '...' already exists", exit 1.
        var targets = new List<(string What, string Path)>();
        if (paths.Output != "-" && !paths.OutputIsSpecial)
        {
            targets.Add(($"is writing '{paths.Output}'; wait for it to end, or give another --output", paths.Output));
        }

        if (paths.Journal is { } journal)
        {
            targets.Add(($"is using the journal '{journal}'; wait for it to end, or give another --journal", journal));
        }

        if (paths.Failures is { } failures && !RunPaths.IsSpecial(failures))
        {
            targets.Add(($"is writing the failures file '{failures}'; wait for it to end, or give another --failures", failures));
        }

        try
        {
            foreach (var (what, path) in targets)
            {
                var fd = Lock(path, out var holder, out var file);
                if (fd == -2)
                {
                    var who = holder is { } pid ? $"another brigade run (pid {pid})" : "another brigade run";
                    throw new CliUsageException($"{who} {what}");
                }

                if (fd >= 0)
                {
                    held.Add((fd, file!));
                }
            }
        }
        catch
        {
            new RunLock(held).Dispose();
            throw;
        }

        return new RunLock(held);
    }

    /// <summary>Releases the locks.</summary>
    public void Dispose()
    {
        foreach (var (fd, file) in _descriptors)
        {
            lock (HeldHere)
            {
                HeldHere.Remove(file);
            }

            NativeMethods.Close(fd);
        }

        _descriptors.Clear();
    }

    // The lock file's descriptor, locked; -2 when another run holds it (its pid in holder, when it wrote one); -1 when it
    // cannot be locked at all (no state directory).
    private static int Lock(string path, out int? holder, out string? file)
    {
        holder = null;
        file = FileFor(path);
        if (file is null)
        {
            return -1;
        }

        lock (HeldHere)
        {
            if (HeldHere.Contains(file))
            {
                // Another run in this process holds it.
                holder = Environment.ProcessId;
                return -2;
            }
        }

        var fd = NativeMethods.OpenLockFile(file);
        if (fd < 0)
        {
            return -1;
        }

        var forkWindow = (Stopwatch?)null;
        while (!NativeMethods.TryLockExclusive(fd, out var busy))
        {
            if (!busy)
            {
                NativeMethods.Close(fd);
                return -1;
            }

            var text = Encoding.ASCII.GetString(NativeMethods.ReadAt(fd, 32)).Trim();
            holder = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
            // Held under this process's own pid, by no run of this process: a run here released it while a child that
            // another thread was starting (fork or posix_spawn, then exec) had a copy of the descriptor. Close-on-exec
            // drops that copy at the child's exec, within microseconds, or milliseconds on a loaded machine: seen in CI,
            // a run refused "another brigade run (pid <its own>)" right after the run before it on the same output ended.
            forkWindow ??= Stopwatch.StartNew();
            bool runHere;
            lock (HeldHere)
            {
                runHere = HeldHere.Contains(file);
            }

            if (holder != Environment.ProcessId || runHere || forkWindow.Elapsed >= ForkWindow)
            {
                NativeMethods.Close(fd);
                return -2;
            }

            Thread.Sleep(1);
        }

        lock (HeldHere)
        {
            if (!HeldHere.Add(file))
            {
                // Taken meanwhile by another run of this process (which released the descriptor's lock above).
                NativeMethods.Close(fd);
                holder = Environment.ProcessId;
                return -2;
            }
        }

        NativeMethods.WriteWhole(fd, Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
        return fd;
    }

    /// <summary>The lock file for a run's output or journal (its directory created); null when there can be none.</summary>
    internal static string? FileFor(string path)
    {
        try
        {
            var directory = Path.Combine(RunFiles.StateDirectory(), "locks");
            Directory.CreateDirectory(directory);
            // Named for people (the file's name without its extension: no lock looks like a journal) and by the key.
            return Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(Path.GetFullPath(path))}-{StableKey.Of(Identity(path))}.lock");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    // The file the path names: its own symbolic link followed, then its directory's device and inode and its full path
    // (whether or not the file exists yet: a run that is about to create it locks the same name).
    private static string Identity(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
            {
                full = Path.GetFullPath(target.FullName);
            }
        }
        catch (IOException)
        {
            // A link cycle, or one that cannot be read: the path as given.
        }

        var directory = Path.GetDirectoryName(full);
        // The path too, not the directory's device and inode alone: an inode is reused once its directory is deleted, and
        // a run still going in a deleted directory (its lock held) then refused a run in a new directory that got the same
        // inode (seen in CI: "another brigade run (pid N)" for a fresh test directory's out.txt). Two spellings of one
        // directory through a symbolic link to it are therefore not told to be the same (the file's own link is followed).
        return directory is not null && NativeMethods.FileIdentity(directory) is { } id
            ? $"{id.Device}:{id.Inode}:{full}"
            : full;
    }
}
