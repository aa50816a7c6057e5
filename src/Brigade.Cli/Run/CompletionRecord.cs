namespace Brigade.Cli.Run;

/// <summary>
/// What is kept of a journal once its run finished: its header, a watermark saying every item is in the outputs, and
/// how many failed. The journal itself is deleted (a finished run leaves nothing beside its output); this small record
/// goes to brigade's state directory (<c>$XDG_STATE_HOME/brigade/completed</c>), keyed by the journal's path, so that
/// <c>--resume</c> of a finished run says "already complete" instead of refusing or running everything again.
/// </summary>
/// <remarks>
/// It is a journal in the same format (header, <c>w</c>, then a <c>c</c> line), so a resume whose input grew since
/// restores it as the journal and runs only the new items. Records not written for 90 days are pruned.
/// </remarks>
internal static class CompletionRecord
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(90);

    // Pruning reads the date of every record (hundreds, after a while): once a day is enough for records kept 90 days.
    private static readonly TimeSpan PruneEvery = TimeSpan.FromDays(1);

    /// <summary>Gets where the record of the run whose journal is <paramref name="journal"/> goes.</summary>
    public static string PathFor(string journal) => PathFor(journal, StableKey.Of(Path.GetFullPath(journal)));

    private static string PathFor(string journal, string key) =>
        Path.Combine(RunFiles.StateDirectory(), "completed", $"{Path.GetFileNameWithoutExtension(journal)}-{key}.complete");

    /// <summary>Records that the run finished; best effort (without a record, <c>--resume</c> of this run is refused with a hint instead).</summary>
    public static void Write(string journal, JournalRecord header, JournalRecord finalMark, long failed)
    {
        var path = PathFor(journal);
        var temporary = path + ".tmp";
        try
        {
            var directory = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(directory);
            Prune(directory);
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using var writer = new JournalRecordWriter();
                foreach (var record in new[] { header, finalMark, new JournalRecord { Kind = "c", FailedCount = failed } })
                {
                    writer.WriteLine(file, record);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RunFiles.DeleteQuietly(temporary);
        }
    }

    /// <summary>Forgets the record: a new run of the same journal is starting over, its outputs truncated.</summary>
    public static void Delete(string journal) => RunFiles.DeleteQuietly(PathFor(journal));

    /// <summary>What makes the finished run recorded under this journal's path another run than this one (its input,
    /// work or options, in words, as <see cref="Journal.Difference"/> says them); null when there is no record, or it is
    /// this run's.</summary>
    public static string? OtherRun(string journal, JournalRecord header)
    {
        foreach (var path in new[] { PathFor(journal), PathFor(journal, StableKey.LegacyOf(Path.GetFullPath(journal))) })
        {
            if (File.Exists(path))
            {
                return Journal.ReadHeader(path) is { } recorded ? Journal.Difference(recorded, header) : null;
            }
        }

        return null;
    }

    /// <summary>Reads the record of this run (same input, work and options), or null when there is none.</summary>
    /// <returns>What it says is done, the length of the record, how many items failed, and where it is.</returns>
    public static (ResumeState State, long Length, long Failed, string Path)? Read(string journal, JournalRecord header)
    {
        var path = PathFor(journal);
        if (!File.Exists(path))
        {
            // Written by a brigade before the upgrade that changed the records' keys (SHA-256).
            path = PathFor(journal, StableKey.LegacyOf(Path.GetFullPath(journal)));
            if (!File.Exists(path))
            {
                return null;
            }
        }

        try
        {
            var (state, length) = Journal.Read(path, header);
            return state.Completed is { } failed ? (state, length, failed, path) : null;
        }
        catch (Exception e) when (e is CliUsageException or CliIOException)
        {
            // Another run's (another input or command with the same output), or unreadable: not this run's record.
            return null;
        }
    }

    private static void Prune(string directory)
    {
        var stamp = Path.Combine(directory, "pruned");
        if (File.Exists(stamp) && DateTime.UtcNow - File.GetLastWriteTimeUtc(stamp) < PruneEvery)
        {
            return;
        }

        File.WriteAllBytes(stamp, []);
        foreach (var old in Directory.EnumerateFiles(directory, "*.complete"))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(old) > KeepFor)
            {
                RunFiles.DeleteQuietly(old);
            }
        }
    }
}
