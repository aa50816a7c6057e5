using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>The files of a <c>brigade run</c>: opening them without surprises, and saying in one line why one cannot be used.</summary>
internal static class RunFiles
{
    /// <summary>Gets the reason an operation on a file failed, without .NET's exception type or the path (the caller names the user's path).</summary>
    public static string Reason(Exception e)
    {
        var message = e switch
        {
            UnauthorizedAccessException => "permission denied",
            // EFBIG, which .NET reports as an argument out of range ("Specified file length was too large for the file system").
            ArgumentOutOfRangeException => "File too large (over the file size limit, ulimit -f, or the file system's largest file)",
            DirectoryNotFoundException => "its directory does not exist",
            FileNotFoundException => "no such file",
            _ => e.Message,
        };

        // .NET's Unix messages read "Read-only file system : '/the/path'": keep the reason.
        var cut = message.IndexOf(" : '", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return message.TrimEnd('.');
    }

    /// <summary>
    /// Where a journal goes when the output is not a regular file (<c>/dev/null</c>, a pipe): never in <c>/dev</c>, but in
    /// the user's state directory (<c>$XDG_STATE_HOME/brigade/journals</c>, by default
    /// <c>~/.local/state/brigade/journals</c>), named after the output, the input and the work, so that the same command
    /// finds it again with <c>--resume</c> and an unrelated run does not.
    /// </summary>
    public static string StateJournalPath(string output, string input, string work) =>
        StateJournalPath(output, StableKey.Of($"{output}\n{input}\n{work}"));

    /// <summary>Gets where an earlier brigade (keys from SHA-256) put the same journal: for <c>--resume</c> after an upgrade.</summary>
    public static string LegacyStateJournalPath(string output, string input, string work) =>
        StateJournalPath(output, StableKey.LegacyOf($"{output}\n{input}\n{work}"));

    private static string StateJournalPath(string output, string key) =>
        Path.Combine(StateDirectory(), "journals", $"{Path.GetFileName(output)}-{key}.journal");

    /// <summary>Gets brigade's state directory (XDG base directory specification; LocalApplicationData elsewhere).</summary>
    public static string StateDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "brigade");
        }

        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(state) && Path.IsPathRooted(state))
        {
            return Path.Combine(state, "brigade");
        }

        // DoNotVerify: the home directory even when it does not exist (HOME unset and a passwd entry of /nonexistent, as
        // nobody and many service users have). Verified, .NET gives "" for it, and until run58 the state directory was
        // then ./.local/state/brigade in the current directory: each directory its own locks and completion records (two
        // runs on one output from two directories were not kept apart), and in a read-only one a journal for -o
        // /dev/null failed with "UnauthorizedAccessException: Access to the path '/cwd/.local' is denied".
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        // With neither HOME nor a passwd entry .NET says "/", as the shell's ~ does; never a relative path.
        return Path.Combine(Path.IsPathRooted(home) ? home : "/", ".local", "state", "brigade");
    }

    /// <summary>
    /// Opens an output for writing at <paramref name="keep"/> bytes (0 for a new run, the watermark's length on
    /// resume): a regular file is cut there, a device or pipe is written as it is.
    /// </summary>
    /// <exception cref="CliIOException">It cannot be opened for writing.</exception>
    /// <param name="path">The path the user gave.</param>
    /// <param name="option">The option, for errors.</param>
    /// <param name="keep">How many bytes of a regular file to keep.</param>
    /// <param name="created">Whether the file did not exist before.</param>
    /// <param name="notice">Where to say that a FIFO is waiting for its reader, or null.</param>
    /// <param name="cancellationToken">Ends the wait for a FIFO's reader (Ctrl+C).</param>
    public static Stream OpenOutput(string path, string option, long keep, out bool created, TextWriter? notice = null, CancellationToken cancellationToken = default)
    {
        created = !File.Exists(path);
        try
        {
            // brigade's own stdout or stderr (/dev/stderr): written through the descriptor, at its offset. Opening the
            // path again opens a regular file behind it (>> log) anew, at offset 0, and a fresh run would cut it to 0.
            switch (StandardDescriptor(path))
            {
                case 1:
                    return Console.OpenStandardOutput();
                case 2:
                    return Console.OpenStandardError();
            }

            if (NativeMethods.KindOf(path) == FileKind.Special)
            {
                // No truncating or seeking a character device or a pipe: just write.
                return OperatingSystem.IsLinux()
                    ? OpenSpecial(path, option, notice, cancellationToken)
                    : new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            }

            if (IsOtherDescriptor(path))
            {
                // Another descriptor's regular file (3>> log): its writer's file, not brigade's to cut; written at its end.
                return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            }

            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 16);
            file.SetLength(Math.Min(keep, file.Length));
            file.Seek(0, SeekOrigin.End);
            return file;
        }
        catch (Exception e) when (IsWriteError(e))
        {
            throw new CliIOException($"cannot write {option} '{path}': {Reason(e)}", e);
        }
    }

    /// <summary>How long an output that is a FIFO may wait for a process to open it for reading: 10 s.</summary>
    public static readonly TimeSpan ReaderWait = TimeSpan.FromSeconds(10);

    // A FIFO's open for writing waits in the kernel until a process opens it for reading: with none, brigade hung there
    // for good, deaf to Ctrl+C and SIGTERM (the signal cancels a token, and the thread was inside open), its journal
    // already created (review 42). Opened without waiting instead, and tried again until a reader comes (a reader started
    // with brigade, `brigade run ... -o fifo & cat fifo`, may come a moment later), for at most ReaderWait, said on stderr
    // after the first second; Ctrl+C ends the wait.
    private static FileStream OpenSpecial(string path, string option, TextWriter? notice, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            var fd = NativeMethods.OpenForWritingNoWait(path);
            if (fd >= 0)
            {
                return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1 << 16);
            }

            if (-fd != NativeMethods.NoReader)
            {
                throw new CliIOException($"cannot write {option} '{path}': {NativeMethods.ErrorText(-fd)}");
            }

            if (waited.Elapsed >= ReaderWait)
            {
                // A missing reader, not a bad path: exit 1 (RunOutputs.Open makes the other failures to open a usage error).
                throw new CliIOException($"cannot write {option} '{path}': it is a FIFO, and no process opened it for reading within {ReaderWait.TotalSeconds:0} s; start its reader first (cat '{path}' &)", new TimeoutException());
            }

            if (!told && notice is not null && waited.Elapsed >= TimeSpan.FromSeconds(1))
            {
                told = true;
                notice.WriteLine($"brigade run: {option} '{path}' is a FIFO that no process reads yet: waiting up to {ReaderWait.TotalSeconds:0} s for its reader");
            }

            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Gets whether <see cref="OpenOutput"/> writes the path as a file it cuts back to a watermark on resume; false for
    /// stdout or stderr, a device or pipe, and another descriptor's file (<c>/dev/fd/3</c>), which are written as they
    /// are: what went past the journal's last watermark there cannot be taken back, and <c>--resume</c> writes it again.
    /// </summary>
    public static bool CutsBack(string path) =>
        StandardDescriptor(path) is null && NativeMethods.KindOf(path) != FileKind.Special && !IsOtherDescriptor(path);

    /// <summary>Gets whether the path is a descriptor's file (callers ask <see cref="StandardDescriptor"/> first): <c>/dev/fd/N</c>,
    /// <c>/proc/self/fd/N</c>, <c>/proc/thread-self/fd/N</c> or <c>/proc/PID/fd/N</c> (this process's by its pid, or another
    /// process's): a file a descriptor holds (<c>3&gt;&gt; log</c>), written at its end and never cut back.</summary>
    /// <remarks>The one definition <see cref="RunPaths"/>' check of the kernel's file systems uses too (run62: it let
    /// <c>/proc/PID/fd/N</c> through by its own pattern, where this knew only <c>/proc/self/fd/N</c>, so such a path was
    /// opened as a regular file and cut back to the journal's watermark).</remarks>
    public static bool IsOtherDescriptor(string path) => Descriptor(path) is not null;

    /// <summary>Gets the standard descriptor a path names (<c>/dev/stdout</c>, <c>/dev/fd/1</c>, <c>/proc/self/fd/1</c>,
    /// <c>/proc/PID/fd/1</c> with this process's pid...), or null.</summary>
    public static int? StandardDescriptor(string path) => path switch
    {
        "/dev/stdin" => 0,
        "/dev/stdout" => 1,
        "/dev/stderr" => 2,
        _ => Descriptor(path) is { Own: true, Number: <= 2 } d ? d.Number : null,
    };

    // The descriptor a path names by number (/dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N, /proc/PID/fd/N), and
    // whether it is this process's; null for any other path.
    private static (int Number, bool Own)? Descriptor(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }

        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (owner, fd) = parts switch
        {
            ["dev", "fd", var n] => ("self", n),
            ["proc", var p, "fd", var n] => (p, n),
            _ => ("", ""),
        };
        if (fd.Length == 0 || !fd.All(char.IsAsciiDigit) || !int.TryParse(fd, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return owner switch
        {
            "self" or "thread-self" => (number, true),
            _ when owner.All(char.IsAsciiDigit) && int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) => (number, pid == Environment.ProcessId),
            _ => null,
        };
    }

    /// <summary>
    /// Gets whether <paramref name="e"/>, thrown by a file stream's write, flush or length change, is the file's failure: an
    /// I/O error, a permission, or EFBIG past <c>ulimit -f</c>, which .NET throws as <see cref="ArgumentOutOfRangeException"/>
    /// (until run60 it ended the run as "brigade: ArgumentOutOfRangeException: Specified file length was too large for the
    /// file system", and the output's partly written result stayed in it on --resume).
    /// </summary>
    public static bool IsWriteError(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException;

    /// <summary>Deletes a file brigade created and did not use, ignoring failure.</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind: it is empty, and names the path the user gave.
        }
    }
}
