using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>
/// The outputs of <c>brigade run</c> and the journal beside them: opens (or, on resume, reopens at their journaled
/// lengths) the output and failures files, writes each result in its place, and records watermarks so that a kill at
/// any moment is resumable: the outputs are flushed first, then the journal says how far they go.
/// </summary>
internal sealed class RunOutputs(RunJobOptions options, RunPaths paths, RunCounters counters, TextWriter stdout, TextWriter stderr)
{
    /// <summary>The largest output journaled as a finished result (<see cref="OnCompleted"/>): 1 MiB.</summary>
    public const int MaxJournaledOutput = 1 << 20;

    /// <summary>How often a watermark is written at most while results flow, and at least while they pause.</summary>
    public static readonly TimeSpan WatermarkInterval = TimeSpan.FromMilliseconds(100);

    // Files this run created; removed again if the run cannot start.
    private readonly List<string> _created = [];

    // Guards the outputs, the journal and the watermark state below: results are delivered by the run's loop, and a
    // timer writes a watermark when deliveries pause (a slow item holds the rest back).
    private readonly Lock _writeGate = new();
    private Stream? _output;
    private Stream? _failures;

    // Whether the output and the failures are files cut back to the watermark on resume (see RunFiles.CutsBack).
    private bool _outputCutsBack;
    private bool _failuresCutsBack;
    private Journal? _journal;
    private InputFingerprint? _fingerprint;
    private long _upTo;
    private readonly List<long> _deliveredSinceMark = [];
    private DateTime _lastMark = DateTime.UtcNow;
    private long _markedDelivered;
    private long _markedFailed;
    private long _markedUpTo = -1;
    private long _markedInputBytes = -1;
    private CliIOException? _writeError;

    // When the write gate was last taken by a delivery or the timer (a Stopwatch timestamp), 0 while it is free: a
    // write to a pipe nobody reads holds it for good, and Ctrl+C must not wait for that write (see IsStuck).
    private long _heldSince;

    /// <summary>Gets the journal, once opened; null when the run keeps none.</summary>
    public Journal? Journal => _journal;

    /// <summary>Gets the write that failed on the watermark timer, if one did.</summary>
    public CliIOException? WriteError => Volatile.Read(ref _writeError);

    // Every item read is in the outputs: the watermark a finished run's record keeps.
    public JournalRecord FinalMark()
    {
        var (inputBytes, inputItems, inputHash) = _fingerprint!.Snapshot();
        static long? LengthOf(string? path) => path is not null && NativeMethods.KindOf(path) == FileKind.Regular ? new FileInfo(path).Length : null;
        return new JournalRecord
        {
            Kind = "w",
            UpTo = inputItems,
            OutputLength = paths.OutputIsSpecial || paths.Output == "-" ? null : LengthOf(paths.Output),
            FailuresLength = paths.Failures is { } failures && RunFiles.CutsBack(failures) ? LengthOf(failures) : null,
            InputBytes = inputBytes,
            InputItems = inputItems,
            InputHash = inputHash,
            FailedCount = counters.Failed,
        };
    }

    /// <summary>Journals a finished item's result (ordered runs), on the engine's worker, before it is delivered.</summary>
    public void OnCompleted(PreparedItem prepared, byte[]? output, string? error)
    {
        var item = prepared.Item;
        // Only ordered runs need this: their results may wait for an earlier item, and a kill must not lose them. A large
        // output is not journaled: as base64 it cost its size again in memory and a third more on disk (a command printing
        // 300 MB took brigade to 2.3 GB, against 1.1 GB to stdout), and a kill before it is delivered only means the item
        // runs again on resume, which is what a result the journal does not hold always meant.
        if (_journal is not null && !options.Unordered && (output?.Length ?? 0) <= MaxJournaledOutput)
        {
            _journal.Append(error is null
                ? new JournalRecord { Kind = "r", Index = item.Index, Output = output }
                : new JournalRecord { Kind = "r", Index = item.Index, Line = item.Line, ItemText = item.Text, Error = error, Output = output, Attempts = prepared.Attempts > 1 ? prepared.Attempts : null });
        }
    }

    /// <summary>Writes an item's result or failure in its place, and a watermark when one is due.</summary>
    /// <param name="item">The item.</param>
    /// <param name="output">Its output: a success's, or what a failed command wrote to stdout (null: nothing), which goes to
    /// the output in the item's place all the same, before its failure is reported.</param>
    /// <param name="error">Why it failed (the last attempt's reason), or null.</param>
    /// <param name="attempts">How many times it ran (with <c>--retries</c>, more than once).</param>
    /// <exception cref="CliIOException">An output cannot be written.</exception>
    public void Deliver(InputItem item, byte[]? output, string? error, int attempts = 1)
    {
        lock (_writeGate)
        {
            Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
            try
            {
                DeliverLocked(item, output, error, attempts);
            }
            finally
            {
                Volatile.Write(ref _heldSince, 0);
            }
        }
    }

    /// <summary>
    /// Gets whether a write has held the outputs for at least <paramref name="after"/>: stdout or stderr is a pipe
    /// nobody reads (a pager left on its first page), or a terminal stopped with Ctrl+S. Writes take microseconds.
    /// </summary>
    public bool IsStuck(TimeSpan after) => Volatile.Read(ref _heldSince) is var since and not 0 && Stopwatch.GetElapsedTime(since) >= after;

    /// <summary>
    /// Ends an interrupted run whose write is stuck, without waiting for it: the journal is closed with what it holds,
    /// and its last watermark counts only what was flushed before it, so <c>--resume</c> writes the rest again. The
    /// outputs are left to the write under way (the process is ending).
    /// </summary>
    public void Abandon()
    {
        try
        {
            _journal?.Dispose();
        }
        catch (Exception e) when (RunFiles.IsWriteError(e) || e is CliIOException)
        {
            // The journal ends at its last complete line; resume reads up to there.
        }
    }

    /// <summary>Called before each result or failure line is written (the status line's <see cref="ProgressView.BeforeOutput"/>
    /// on a terminal: a resize is followed before the line, not after it), or null.</summary>
    public Action? BeforeWrite { get; set; }

    /// <summary>
    /// Gets how many items the outputs hold for sure: those the last watermark covers (the outputs were flushed before it
    /// was written); null without a journal. What was delivered since may still be in a buffer that a process ended at
    /// once (a second signal) never writes: before run67 its line said "1,350 items delivered" of an output holding 1,342.
    /// </summary>
    public long? Written => _journal is null || _output is null ? null : Volatile.Read(ref _markedDelivered);

    /// <summary>Gets how many of the <see cref="Written"/> items failed (the last watermark's count); null as it is.</summary>
    public long? WrittenFailed => Written is null ? null : Volatile.Read(ref _markedFailed);

    /// <summary>Gets whether the output is a file <c>--resume</c> cuts back to the last watermark (not stdout, a pipe or
    /// another descriptor's file, whose every byte written stays).</summary>
    public bool OutputCutsBack => _outputCutsBack;

    /// <summary>
    /// Lets no more results through, for a process that ends at once (a second signal): waits up to
    /// <paramref name="wait"/> for the write under way, then keeps the outputs' gate, so that what the forced exit's line
    /// counts is what the outputs got (run68: with <c>-o -</c>, results kept coming to stdout after the line was said, and
    /// the line counted fewer items than stdout held). False when the write under way did not end in time (stuck on a
    /// pipe nobody reads): it stays partly written, and nothing after it is written either.
    /// </summary>
    /// <remarks>Never let go in a run (the process is ending); <see cref="LetGo"/> does, for a test, on the same thread.</remarks>
    public bool HoldForExit(TimeSpan wait) => _writeGate.TryEnter(wait);

    /// <summary>Lets results through again after <see cref="HoldForExit"/> returned true, on the thread that held them (tests).</summary>
    internal void LetGo() => _writeGate.Exit();

    private void DeliverLocked(InputItem item, byte[]? output, string? error, int attempts)
    {
        if (_writeError is { } failed)
        {
            throw new CliIOException(failed.Message, failed);
        }

        BeforeWrite?.Invoke();

        var wroteOutput = error is null || output is { Length: > 0 };
        if (wroteOutput)
        {
            Write(_output!, "--output", paths.Output, output);
        }

        if (error is not null)
        {
            counters.OnFailure(error);
            var failure = new FailureRecord { Index = item.Index, Line = item.Line, Input = item.Text, Error = error, Attempts = Math.Max(1, attempts) };
            if (_failures is not null)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(failure, RunJsonContext.Readable.FailureRecord);
                Write(_failures, "--failures", paths.Failures!, [.. bytes, (byte)'\n']);
            }
            else
            {
                // On stderr the line is shown, not kept: a 10 MB item is not copied whole into a terminal (or a CI log) for
                // every failure. --failures FILE (or /dev/stderr, given as such) keeps it whole, as the journal does.
                stderr.WriteLine(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(failure.ForDisplay(), RunJsonContext.Readable.FailureRecord)));
            }
        }

        counters.OnDelivered(error is not null);
        if (options.Unordered)
        {
            _deliveredSinceMark.Add(item.Index);
        }
        else
        {
            _upTo = item.Index + 1;
        }

        // Stdout, stderr, a pipe, a device or another descriptor's file (--failures /dev/stderr, -o /dev/fd/3) cannot be
        // truncated back to a watermark: whatever was written past the last one is written again by --resume. Marked at
        // once, a kill can repeat only the result being written, not the last 0.1 s.
        Mark(force: _journal is not null && ((wroteOutput && !_outputCutsBack) || (error is not null && !(_failures is not null && _failuresCutsBack))));
    }

    // Flush the outputs, then record how far they go: the order is what makes a kill at any moment resumable.
    private void Mark(bool force)
    {
        if (!force && DateTime.UtcNow - _lastMark < WatermarkInterval)
        {
            return;
        }

        _lastMark = DateTime.UtcNow;
        var (inputBytes, inputItems, inputHash) = _fingerprint!.Snapshot();
        if (_upTo == _markedUpTo && inputBytes == _markedInputBytes && _deliveredSinceMark.Count == 0)
        {
            // No new watermark, but results may have finished behind a slow item (ordered runs journal them as they
            // finish): flushed now, a kill does not make --resume run them again.
            _journal?.Flush();
            return;
        }

        if (_output is not null)
        {
            Write(_output, "--output", paths.Output, null);
        }

        if (_failures is not null)
        {
            Write(_failures, "--failures", paths.Failures!, null);
        }

        if (_journal is null || _output is null)
        {
            return;
        }

        // A length only for a file resume cuts back: another descriptor's file (3>> log) is the shell's, and may be
        // started anew (3> log) for the resume. Each mark says how many of the items it covers failed (nf): a resume
        // counts them whatever the failures went to (before run59, lines of the failures file: none when they went to
        // stderr, so a resumed run exited 0 after items had failed).
        var o = _outputCutsBack ? _output.Length : (long?)null;
        var f = _failures is not null && _failuresCutsBack ? _failures.Length : (long?)null;
        if (options.Unordered)
        {
            if (_deliveredSinceMark.Count == 0)
            {
                return;
            }

            _journal.Append(new JournalRecord { Kind = "u", Delivered = [.. _deliveredSinceMark], OutputLength = o, FailuresLength = f, InputBytes = inputBytes, InputItems = inputItems, InputHash = inputHash, FailedCount = counters.Failed });
            _deliveredSinceMark.Clear();
        }
        else
        {
            _journal.Append(new JournalRecord { Kind = "w", UpTo = _upTo, OutputLength = o, FailuresLength = f, InputBytes = inputBytes, InputItems = inputItems, InputHash = inputHash, FailedCount = counters.Failed });
        }

        _journal.Flush();
        Volatile.Write(ref _markedFailed, counters.Failed);
        Volatile.Write(ref _markedDelivered, counters.Delivered);
        _markedUpTo = _upTo;
        _markedInputBytes = inputBytes;
    }

    // Writes (or, with no bytes, flushes) an output; a full disk or a broken pipe is one line naming the user's path. A
    // failed write may have left part of its bytes in the file (the kernel writes up to a full disk or the file size limit,
    // then refuses the rest): the stream's length is then no watermark, and no mark is written after it (run60: a result
    // cut at `ulimit -f` was marked as written, and --resume appended the item again after its piece).
    private void Write(Stream stream, string option, string path, byte[]? bytes)
    {
        try
        {
            if (bytes is not null)
            {
                stream.Write(bytes);
            }
            else
            {
                stream.Flush();
            }
        }
        catch (Exception e) when (RunFiles.IsWriteError(e))
        {
            var failed = new CliIOException($"cannot write {option} '{path}': {RunFiles.Reason(e)}", e);
            Interlocked.CompareExchange(ref _writeError, failed, null);
            throw failed;
        }
    }

    // A journal for a device or pipe output goes in brigade's state directory, which may not be creatable (a home
    // directory that does not exist, /nonexistent for service users): one line saying where and what to do, not .NET's
    // "UnauthorizedAccessException: Access to the path '/nonexistent' is denied" (run58).
    private void CreateStateJournalDirectory(string journal)
    {
        var directory = Path.GetDirectoryName(journal)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliIOException($"cannot write --output '{paths.Output}': its journal goes in brigade's state directory, and '{directory}' cannot be created: {RunFiles.Reason(e)}; give --journal PATH, or set XDG_STATE_HOME to a directory you can write", e);
        }
    }

    // Creates the journal, then opens (and on a fresh run truncates) the outputs: an output without a journal beside it
    // is always a finished run's. If one fails, what this run created is removed.
    public void Open(JournalRecord header, ResumeState? resume, long journalLength, string? restoreJournalFrom, InputFingerprint fingerprint, CancellationToken cancellationToken = default)
    {
        _fingerprint = fingerprint;
        _upTo = resume?.UpTo ?? 0;
        try
        {
            if (paths.Journal is { } journal)
            {
                if (paths.JournalInStateDirectory)
                {
                    CreateStateJournalDirectory(journal);
                }

                if (resume is not null)
                {
                    if (restoreJournalFrom is { } record)
                    {
                        RestoreJournal(record, journal);
                    }

                    _journal = Journal.OpenForAppend(journal, journalLength);
                }
                else
                {
                    _journal = CreateJournal(journal, header);
                    _created.Add(journal);

                    // The outputs are truncated next: a record that this run once finished no longer describes them.
                    CompletionRecord.Delete(journal);
                }
            }

            // -o /dev/stdout is stdout: through the same writer as -o - (a regular file behind it is not reopened).
            _output = paths.Output == "-" || RunFiles.StandardDescriptor(paths.Output) == 1
                ? new TextWriterStream(stdout)
                : Track(RunFiles.OpenOutput(paths.Output, "--output", resume?.OutputLength ?? 0, out var createdOutput, stderr, cancellationToken), paths.Output, createdOutput);
            _outputCutsBack = _output.CanSeek && RunFiles.CutsBack(paths.Output);
            if (paths.Failures is { } failures)
            {
                _failuresCutsBack = RunFiles.CutsBack(failures);
                _failures = Track(RunFiles.OpenOutput(failures, "--failures", resume?.FailuresLength ?? 0, out var createdFailures, stderr, cancellationToken), failures, createdFailures);
            }
        }
        catch
        {
            _output?.Dispose();
            _failures?.Dispose();
            _journal?.Dispose();
            _output = _failures = null;
            _journal = null;
            foreach (var path in _created)
            {
                RunFiles.DeleteQuietly(path);
            }

            throw;
        }
    }

    /// <summary>
    /// <see cref="Open"/>, with a path that cannot be opened said as a usage error (exit 2): nothing was created or run, as
    /// for a directory that does not exist (run60: <c>-o /tmp</c> exited 2 and a path the kernel refused at its open 1). A
    /// FIFO whose reader did not come stays a failure of the run (exit 1): the path is right.
    /// </summary>
    public void OpenChecked(JournalRecord header, ResumeState? resume, long journalLength, string? restoreJournalFrom, InputFingerprint fingerprint, CancellationToken cancellationToken = default)
    {
        try
        {
            Open(header, resume, journalLength, restoreJournalFrom, fingerprint, cancellationToken);
        }
        catch (CliIOException e) when (e.InnerException is not TimeoutException)
        {
            throw new CliUsageException(e.Message);
        }
    }

    // The default journal goes beside the output: a directory that passed the check before the run (root's access(2) allows
    // what the file system then refuses: /sys, a read-only bind mount) but refuses the journal is said of the --output the
    // user gave, as the check says it (before run54, `-o /sys/x` said "cannot write the journal '/sys/x.journal'").
    private Journal CreateJournal(string journal, JournalRecord header)
    {
        try
        {
            return Journal.Create(journal, header);
        }
        catch (CliIOException e) when (paths.JournalBesideOutput && e.InnerException is { } reason)
        {
            throw new CliIOException($"cannot write --output '{paths.Output}': its journal '{journal}' goes beside it, and {RunFiles.Reason(reason)}; give --journal PATH in a writable directory (or an --output there)", reason);
        }
    }

    private void RestoreJournal(string record, string journal)
    {
        try
        {
            File.Copy(record, journal, overwrite: false);
            _created.Add(journal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliIOException($"cannot write the journal '{journal}': {RunFiles.Reason(e)}", e);
        }
    }

    private Stream Track(Stream file, string path, bool created)
    {
        if (created)
        {
            _created.Add(path);
        }

        return file;
    }

    /// <summary>Writes a watermark when deliveries pause; false when an output cannot be written (the run must stop).</summary>
    public bool MarkOnTimer()
    {
        // Never waits: a delivery that holds the gate marks by itself, and one stuck writing to a full pipe would otherwise
        // hold a pool thread per tick (the timer fires whether or not its last callback returned), starving the run.
        if (!_writeGate.TryEnter())
        {
            return true;
        }

        try
        {
            if (_writeError is not null)
            {
                return true;
            }

            Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
            Mark(force: true);
            return true;
        }
        catch (CliIOException e)
        {
            // The delivery loop reports it: the run stops now rather than at its next result, which may be far off.
            Volatile.Write(ref _writeError, e);
        }
        finally
        {
            Volatile.Write(ref _heldSince, 0);
            _writeGate.Exit();
        }

        return false;
    }

    // Flushes and closes. A write that fails now (a full disk) is reported, unless the run already failed (its error is
    // the one to show); the journal keeps its last good watermark. A run that failed before any result reached the
    // outputs (the engine refused the work, the cluster went away, the output cannot be written) leaves no journal: it
    // would only make the same command refuse to start again.
    public void Close(bool runFailed, bool resumed)
    {
        var error = _writeError;
        try
        {
            lock (_writeGate)
            {
                // Not after a failed write: the outputs may hold part of a result past what was delivered (Write).
                if (_writeError is null)
                {
                    Mark(force: true);
                }
            }
        }
        catch (CliIOException e)
        {
            error ??= e;
        }

        try
        {
            _journal?.Dispose();
        }
        catch (Exception e) when (RunFiles.IsWriteError(e) || e is CliIOException)
        {
            // The journal ends at its last complete line; resume reads up to there.
        }

        if ((runFailed || error is not null) && !resumed && _markedDelivered == 0 && _journal is not null)
        {
            RunFiles.DeleteQuietly(_journal.Path);
        }

        foreach (var stream in new[] { _output, _failures })
        {
            try
            {
                stream?.Dispose();
            }
            catch (IOException)
            {
                // Its last buffered bytes are lost with the disk; the journal's watermark does not count them.
            }
        }

        if (error is not null && !runFailed)
        {
            throw error;
        }
    }
}
