namespace Brigade.Cli.Run;

/// <summary>
/// What a <c>brigade run</c> resumes from, decided before anything is created or truncated: its journal (refused when
/// it belongs to another run, when the outputs are shorter than it says, or when the input no longer begins with what
/// was read), or, with no journal, the record of the run having finished.
/// </summary>
internal sealed class RunResume(RunJobOptions options, RunPaths paths, TextWriter stderr)
{
    /// <summary>Gets the completion record to restore as the journal (the run finished, and its input grew since); null otherwise.</summary>
    public string? RestoreJournalFrom { get; private set; }

    /// <summary>Gets, when the run already finished and nothing was added since, how many of its items failed.</summary>
    public long? AlreadyCompleteFailed { get; private set; }

    // On resume: the journal says what is done; it is refused (before anything is touched) when it belongs to another
    // run, when the outputs are shorter than it says they were, or when the input no longer begins with what was read.
    public (ResumeState? State, long JournalLength) Read(JournalRecord header, bool inputIsFile)
    {
        if (paths.Journal is not { } path)
        {
            return options.Resume
                ? throw new CliUsageException("--resume needs a journal: give --output FILE (the journal is FILE.journal) or --journal FILE")
                : (null, 0);
        }

        if (!options.Resume)
        {
            return File.Exists(path)
                ? throw new CliUsageException($"a journal from an earlier, unfinished run exists at '{path}': add --resume to continue it, or delete it to start over")
                : (null, 0);
        }

        if (!File.Exists(path))
        {
            return ResumeWithoutJournal(path, header, inputIsFile);
        }

        var (state, length) = Journal.Read(path, header);
        CheckStillThere("--output", paths.OutputIsSpecial ? null : paths.Output, state.OutputLength, path);
        if (paths.Failures is { } failures && NativeMethods.KindOf(failures) != FileKind.Special)
        {
            CheckStillThere("--failures", failures, state.FailuresLength, path);
        }

        if (state.InputRead is { } read && inputIsFile && !InputFingerprint.PrefixMatches(options.Input, read.Bytes, read.Hash))
        {
            throw new CliUsageException(
                $"--resume: the input '{options.Input}' changed since the interrupted run (its first {read.Bytes:N0} bytes are not what that run read); results would mix old and new items: delete the journal '{path}' to start over");
        }

        if (state.InputRead is { } last && inputIsFile && InputFingerprint.LastItemExtended(options.Input, last.Bytes, options.NullSeparated, InputReader.Resolve(options.Format, options.Input)))
        {
            throw new CliUsageException(
                $"--resume: the input '{options.Input}' ended without a line end after its last item when the interrupted run read it ({last.Bytes:N0} bytes), and that item was extended since; its result is not that item's: delete the journal '{path}' to start over");
        }

        // Results of items read after the last fingerprint cannot be checked against the input: they run again.
        state.DropUnverifiedResults();
        return (state, length);
    }

    // --resume and no journal: a retry script may pass --resume every time. The run finished (its completion record
    // says so): nothing to do, or only the items appended to the input since. Nothing was written yet (killed before its
    // journal existed): start from the beginning. Outputs that hold results nothing accounts for: refused.
    private (ResumeState? State, long JournalLength) ResumeWithoutJournal(string journal, JournalRecord header, bool inputIsFile)
    {
        if (CompletionRecord.Read(journal, header) is { } record)
        {
            var state = record.State;
            foreach (var (option, file, expected) in new[] { ("--output", paths.OutputIsSpecial ? null : paths.Output, state.OutputLength), ("--failures", paths.Failures, state.FailuresLength) })
            {
                var length = file is not null && File.Exists(file) ? new FileInfo(file).Length : 0;
                if (file is not null && NativeMethods.KindOf(file) != FileKind.Special && length < expected)
                {
                    throw new CliUsageException($"--resume: this run finished, but {option} '{file}' has {length:N0} of the {expected:N0} bytes it wrote; run without --resume to start over");
                }
            }

            if (state.InputRead is { } read && inputIsFile)
            {
                if (!InputFingerprint.PrefixMatches(options.Input, read.Bytes, read.Hash))
                {
                    throw new CliUsageException($"--resume: this run finished, and its input '{options.Input}' changed since (its first {read.Bytes:N0} bytes are not what it read); run without --resume to start over");
                }

                if (InputFingerprint.LastItemExtended(options.Input, read.Bytes, options.NullSeparated, InputReader.Resolve(options.Format, options.Input)))
                {
                    throw new CliUsageException($"--resume: this run finished, and its input '{options.Input}' ended without a line end after its last item ({read.Bytes:N0} bytes), which was extended since (appended to without a line end first); run without --resume to start over");
                }

                if (new FileInfo(options.Input).Length == read.Bytes)
                {
                    AlreadyCompleteFailed = record.Failed;
                    return (state, record.Length);
                }
            }

            // Items were appended to the input (or it is stdin, which cannot be checked): the record becomes the journal.
            RestoreJournalFrom = record.Path;
            return (state, record.Length);
        }

        string? Holding(string? file) => file is not null && NativeMethods.KindOf(file) == FileKind.Regular && new FileInfo(file).Length > 0 ? file : null;
        if ((Holding(paths.OutputIsSpecial ? null : paths.Output) ?? Holding(paths.Failures)) is { } holding)
        {
            // Review 62: another run (another command, the same -o) finished there: say what differs, as for its journal.
            throw new CliUsageException(CompletionRecord.OtherRun(journal, header) is { } other
                ? $"--resume: '{holding}' holds the results of a finished run with other arguments ({other}), and there is no journal at '{journal}'; resume with that run's arguments, or run without --resume to start over (it overwrites the outputs)"
                : $"--resume: '{holding}' holds results, but there is no journal at '{journal}' and no record of this run finishing, so which items are done is unknown; run without --resume to start over (it overwrites the outputs)");
        }

        if (!options.Quiet)
        {
            stderr.WriteLine($"brigade run: --resume: no journal at '{journal}' and nothing written yet: starting from the beginning");
        }

        return (null, 0);
    }

    private static void CheckStillThere(string option, string? file, long expected, string journal)
    {
        if (file is null || expected == 0)
        {
            return;
        }

        var length = File.Exists(file) ? new FileInfo(file).Length : -1;
        if (length < expected)
        {
            throw new CliUsageException(length < 0
                ? $"--resume: {option} '{file}' is gone, and the interrupted run had written {expected:N0} bytes to it; delete the journal '{journal}' to start over"
                : $"--resume: {option} '{file}' has {length:N0} bytes, but the interrupted run had written {expected:N0}: it was changed since; delete the journal '{journal}' to start over");
        }
    }
}
