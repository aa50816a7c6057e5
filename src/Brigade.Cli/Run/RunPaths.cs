namespace Brigade.Cli.Run;

/// <summary>
/// The paths of one <c>brigade run</c>, resolved and checked before anything is created or truncated: every directory
/// exists, and no two of them (input, output, failures, journal, report, trace) are the same file, compared by device
/// and inode (so symbolic and hard links are caught), not by spelling.
/// </summary>
internal sealed class RunPaths
{
    private RunPaths()
    {
    }

    /// <summary>Gets the input file, or <c>-</c> for stdin.</summary>
    public required string Input { get; init; }

    /// <summary>Gets the output file, or <c>-</c> for stdout.</summary>
    public required string Output { get; init; }

    /// <summary>Gets whether the output is a device, pipe or socket (written in order, never truncated or measured).</summary>
    public bool OutputIsSpecial { get; init; }

    /// <summary>Gets the failures file, or null for JSON lines on stderr.</summary>
    public string? Failures { get; init; }

    /// <summary>Gets the journal, or null when the run cannot be resumed (output to stdout without --journal).</summary>
    public string? Journal { get; init; }

    /// <summary>Gets whether the journal is in brigade's state directory (the output is not a regular file).</summary>
    public bool JournalInStateDirectory { get; init; }

    /// <summary>Gets whether the journal is the default one beside the output (<c>OUTPUT.journal</c>), not a path the user gave.</summary>
    public bool JournalBesideOutput { get; init; }

    public string? Report { get; init; }

    public string? Trace { get; init; }

    /// <summary>Resolves the defaults and checks every path; throws <see cref="CliUsageException"/> naming the option.</summary>
    public static RunPaths Resolve(string input, string output, string? failures, string? journal, string? report, string? trace, string work, bool resume = false)
    {
        var toFile = output != "-";
        var special = toFile && IsSpecial(output);
        string? journalPath = journal;
        var inStateDirectory = false;
        if (journalPath is null && toFile)
        {
            if (special)
            {
                var (fullOutput, fullInput) = (Path.GetFullPath(output), input == "-" ? "-" : Path.GetFullPath(input));
                journalPath = RunFiles.StateJournalPath(fullOutput, fullInput, work);
                if (resume && !File.Exists(journalPath) && RunFiles.LegacyStateJournalPath(fullOutput, fullInput, work) is var legacy && File.Exists(legacy))
                {
                    journalPath = legacy; // interrupted before an upgrade that changed the state files' keys
                }

                inStateDirectory = true;
            }
            else
            {
                journalPath = output + ".journal";
            }
        }

        var paths = new RunPaths
        {
            Input = input,
            Output = output,
            OutputIsSpecial = special,

            // Beside a regular output file; a device or pipe has no "beside", so failures go to stderr.
            Failures = failures ?? (toFile && !special ? output + ".failures.jsonl" : null),
            Journal = journalPath,
            JournalInStateDirectory = inStateDirectory,
            JournalBesideOutput = journal is null && journalPath is not null && !inStateDirectory,
            Report = report,
            Trace = trace,
        };
        paths.Check(failures is not null, journal is not null);
        return paths;
    }

    private void Check(bool failuresGiven, bool journalGiven)
    {
        var written = new List<(string Option, string Path)>();
        if (Output != "-")
        {
            written.Add(("--output", Output));
        }

        if (Failures is { } f)
        {
            written.Add((failuresGiven ? "--failures" : "--failures (default: OUTPUT.failures.jsonl)", f));
        }

        if (Journal is { } j && !JournalInStateDirectory)
        {
            // A journal is read back and truncated on resume: a device or pipe (/dev/null, /dev/full, a FIFO) cannot be
            // one, and an existing one read as "a journal from an earlier, unfinished run".
            if (journalGiven && File.Exists(j) && IsSpecial(j))
            {
                throw new CliUsageException($"--journal: '{j}' is not a regular file; the journal is read back on --resume: give a file path");
            }

            written.Add((journalGiven ? "--journal" : "--journal (default: OUTPUT.journal)", j));
        }

        if (Report is { } r)
        {
            written.Add(("--report", r));
        }

        if (Trace is { } t)
        {
            written.Add(("--trace", t));
        }

        foreach (var (option, path) in written)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                throw new CliUsageException($"{option}: '{path}' is a directory");
            }

            if (Path.GetDirectoryName(full) is { } dir && !Directory.Exists(dir))
            {
                throw new CliUsageException($"{option}: directory '{dir}' does not exist");
            }

            if (KernelFileSystem(full) is { } kernel)
            {
                // /proc/x said "no such file" (exit 1), /proc/self/status ran every command and then failed with "Invalid
                // argument" (run60): the kernel's files take no results. /proc/self/fd/N is a descriptor's file, written as such.
                throw new CliUsageException($"{option}: '{path}' is in {kernel}, the kernel's file system, which takes no results; give a file, a device (/dev/null) or a pipe");
            }
        }

        CheckWritable(written, failuresGiven, journalGiven);

        // Same file twice: results written over the input, failures over results, a journal over the output.
        var all = new List<(string Option, string Path)>();
        if (Input != "-")
        {
            all.Add(("the input", Input));
        }

        all.AddRange(written);
        var identities = all.Select(a => (a.Option, a.Path, Id: Identity(a.Path))).ToList();
        for (var i = 0; i < identities.Count; i++)
        {
            for (var k = i + 1; k < identities.Count; k++)
            {
                if (identities[i].Id is { } id && id == identities[k].Id && !IsSpecial(identities[i].Path))
                {
                    var (a, b) = (identities[i], identities[k]);
                    throw new CliUsageException(a.Option == "the input"
                        ? $"{b.Option} is the input file ('{b.Path}'): writing it would destroy the items being read; give another path"
                        : $"{a.Option} and {b.Option} are the same file ('{b.Path}'); give each its own path");
                }
            }
        }
    }

    // Every file the run will write can be: an unwritable one (a read-only directory or file system, a file without write
    // permission) is said at once, naming the path the user gave, before anything is created or truncated. Before review 42,
    // -o in a read-only directory failed creating the journal beside it ("cannot write the journal 'ro/out.txt.journal'"),
    // naming a file the user never gave, and --report or --trace failed only after the whole run had finished. A full
    // disk or /dev/full can only be seen when written: RunOutputs stops the run then, as before.
    private void CheckWritable(List<(string Option, string Path)> written, bool failuresGiven, bool journalGiven)
    {
        // The default journal before the default failures file: the journal is what a run creates first.
        foreach (var (option, path) in written.OrderBy(w => w.Option.StartsWith("--failures (default", StringComparison.Ordinal) ? 1 : 0))
        {
            if (RunFiles.StandardDescriptor(path) is not null || RunFiles.IsOtherDescriptor(path))
            {
                continue; // a descriptor brigade was given, written as it is
            }

            var full = Path.GetFullPath(path);
            var exists = File.Exists(full);
            var dir = Path.GetDirectoryName(full);
            var denied = exists ? NativeMethods.WriteDenied(full, directory: false) : dir is null ? 0 : NativeMethods.WriteDenied(dir, directory: true);
            if (denied == 0)
            {
                continue;
            }

            var reason = NativeMethods.ErrorText(denied);
            var where = exists ? reason : $"cannot create files in '{dir}': {reason}";

            // A usage error (exit 2) since run60, as a directory that does not exist is: nothing is created or run, and a
            // script tells a bad path from a run whose items failed (exit 1 until then).
            throw new CliUsageException(
                option.StartsWith("--journal (default", StringComparison.Ordinal) && !journalGiven
                    ? $"cannot write --output '{Output}': its journal '{path}' goes beside it, and {where}; give --journal PATH in a writable directory (or an --output there)"
                : option.StartsWith("--failures (default", StringComparison.Ordinal) && !failuresGiven
                    ? $"cannot write --output '{Output}': its failures file '{path}' goes beside it, and {where}; give --failures PATH in a writable directory (or an --output there)"
                : $"cannot write {option} '{path}': {where}");
        }
    }

    // "/proc" or "/sys" for a path in the kernel's own file systems (by its full path: /proc/self/status, /sys/x), except a
    // descriptor's file (/proc/self/fd/N, /proc/PID/fd/N: RunFiles' one definition), which is whatever the descriptor
    // holds; null otherwise.
    private static string? KernelFileSystem(string full)
    {
        if (!OperatingSystem.IsLinux() || RunFiles.StandardDescriptor(full) is not null || RunFiles.IsOtherDescriptor(full))
        {
            return null;
        }

        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            ["proc", ..] => "/proc",
            ["sys", ..] => "/sys",
            _ => null,
        };
    }

    // A device, pipe or socket, or anything under /dev or /proc (where /dev/stdout may lead to a regular file, and a
    // journal beside it would land in /dev).
    internal static bool IsSpecial(string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal) ||
            NativeMethods.KindOf(full) == FileKind.Special;
    }

    // The file's device and inode when it exists; otherwise its directory's and its name (the file it would become).
    private static string? Identity(string path)
    {
        var full = Path.GetFullPath(path);
        if (NativeMethods.FileIdentity(full) is { } id)
        {
            return $"{id.Device}:{id.Inode}";
        }

        if (File.Exists(full))
        {
            // No inode to compare (Windows): the full path, as spelled.
            return OperatingSystem.IsWindows() ? full.ToUpperInvariant() : full;
        }

        var dir = Path.GetDirectoryName(full);
        return dir is not null && NativeMethods.FileIdentity(dir) is { } parent
            ? $"{parent.Device}:{parent.Inode}/{Path.GetFileName(full)}"
            : OperatingSystem.IsWindows() ? full.ToUpperInvariant() : full;
    }
}
