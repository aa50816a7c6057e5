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
        return !string.IsNullOrEmpty(state) && Path.IsPathRooted(state)
            ? Path.Combine(state, "brigade")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "brigade");
    }

    /// <summary>
    /// Opens an output for writing at <paramref name="keep"/> bytes (0 for a new run, the watermark's length on
    /// resume): a regular file is cut there, a device or pipe is written as it is.
    /// </summary>
    /// <exception cref="CliIOException">It cannot be opened for writing.</exception>
    public static Stream OpenOutput(string path, string option, long keep, out bool created)
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
                return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliIOException($"cannot write {option} '{path}': {Reason(e)}", e);
        }
    }

    /// <summary>
    /// Gets whether <see cref="OpenOutput"/> writes the path as a file it cuts back to a watermark on resume; false for
    /// stdout or stderr, a device or pipe, and another descriptor's file (<c>/dev/fd/3</c>), which are written as they
    /// are: what went past the journal's last watermark there cannot be taken back, and <c>--resume</c> writes it again.
    /// </summary>
    public static bool CutsBack(string path) =>
        StandardDescriptor(path) is null && NativeMethods.KindOf(path) != FileKind.Special && !IsOtherDescriptor(path);

    // /dev/fd/N or /proc/self/fd/N: a file another descriptor of this process holds (3>> log).
    private static bool IsOtherDescriptor(string path) =>
        Path.GetFullPath(path) is var full && (full.StartsWith("/dev/fd/", StringComparison.Ordinal) || full.StartsWith("/proc/self/fd/", StringComparison.Ordinal));

    /// <summary>Gets the standard descriptor a path names (<c>/dev/stdout</c>, <c>/dev/fd/1</c>, <c>/proc/self/fd/1</c>...), or null.</summary>
    public static int? StandardDescriptor(string path) => path switch
    {
        "/dev/stdin" or "/dev/fd/0" or "/proc/self/fd/0" => 0,
        "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1" => 1,
        "/dev/stderr" or "/dev/fd/2" or "/proc/self/fd/2" => 2,
        _ => null,
    };

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
