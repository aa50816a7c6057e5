using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Brigade.Orleans;
using Brigade.Reporting;

namespace Brigade.Cli.Run;

/// <summary>
/// <c>brigade run</c>: reads items lazily, runs a command per item on a Brigade engine, writes results in input
/// order (or as they finish), failures to their own file, and keeps a journal so any interruption can be resumed.
/// </summary>
internal sealed class BatchJob(RunJobOptions options, TextWriter stdout, TextWriter stderr, bool interactive)
{
    private static readonly TimeSpan WatermarkInterval = TimeSpan.FromMilliseconds(100);
    private readonly RunCounters _counters = new();

    // Files this run created; removed again if the run cannot start.
    private readonly List<string> _created = [];
    private RunPaths _paths = null!;
    private InputFingerprint? _fingerprint;
    private JournalRecord _header = null!;

    // --resume of a finished run: its completion record, restored as the journal when the input grew; or the failures
    // it had when nothing is left to run.
    private string? _restoreJournalFrom;
    private long? _alreadyComplete;

    // Cancelled when a watermark cannot be written (a full disk): the run stops instead of running on unjournaled.
    private CancellationTokenSource? _stop;

    // Guards the outputs, the journal and the watermark state below: results are delivered by the run's loop, and a
    // timer writes a watermark when deliveries pause (a slow item holds the rest back).
    private readonly Lock _writeGate = new();
    private Stream? _output;
    private Stream? _failures;
    private Journal? _journal;
    private long _upTo;
    private readonly List<long> _deliveredSinceMark = [];
    private DateTime _lastMark = DateTime.UtcNow;
    private long _markedDelivered;
    private long _markedUpTo = -1;
    private long _markedInputBytes = -1;
    private CliIOException? _writeError;

    // Guards _inFlight and _pending: the input is read on the engine's workers, results are delivered here.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, InputItem> _inFlight = [];
    private SortedDictionary<long, JournalRecord> _pending = [];
    private string? _stoppedAt;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var format = InputReader.Resolve(options.Format, options.Input);
        if (options.NullSeparated && format != InputFormat.Lines)
        {
            throw new CliUsageException($"--null separates items by NUL bytes; it does not combine with --format {Name(format)}");
        }

        var ordered = !options.Unordered;
        var header = _header = new JournalRecord
        {
            Kind = "h",
            Version = 2,
            Input = options.Input == "-" ? "-" : Path.GetFullPath(options.Input),
            Work = options.Work.Description,
            Ordered = ordered,
            Format = Name(format),
            NullSeparated = options.NullSeparated,
        };

        if (options.Input != "-" && !File.Exists(options.Input))
        {
            throw new CliUsageException(Directory.Exists(options.Input)
                ? $"'{options.Input}' is a directory; give an input file (one item per line, JSON Lines or CSV), or - for stdin"
                : $"input file '{options.Input}' not found");
        }

        // Everything is checked before anything is created or truncated: paths, the journal, the input, the command.
        _paths = RunPaths.Resolve(options.Input, options.Output, options.Failures, options.JournalPath, options.ReportPath, options.TracePath, options.Work.Description);
        var inputIsFile = options.Input != "-" && NativeMethods.KindOf(options.Input) == FileKind.Regular;
        var (resume, journalLength) = ReadJournal(header, inputIsFile);
        if (_alreadyComplete is { } failedBefore)
        {
            if (!options.Quiet)
            {
                var see = failedBefore > 0 && _paths.Failures is { } failed ? $" (see {failed})" : "";
                await stderr.WriteLineAsync($"brigade run: already complete: {resume!.UpTo:N0} items, {failedBefore:N0} failed{see}; nothing to resume").ConfigureAwait(false);
            }

            return failedBefore > 0 ? ExitCodes.Failure : ExitCodes.Success;
        }

        using var fingerprint = new InputFingerprint();
        var inputStream = OpenInput();
        await using var inputScope = inputStream.ConfigureAwait(false);
        var items = InputReader.ReadAsync(inputStream, format, options.NullSeparated, fingerprint, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var itemsScope = items.ConfigureAwait(false);
        var first = await items.MoveNextAsync().ConfigureAwait(false) ? items.Current : null;
        if (first is not null)
        {
            options.Work.CheckFirstItem(first);
        }

        OpenFiles(header, resume, journalLength);
        _fingerprint = fingerprint;
        _upTo = resume?.UpTo ?? 0;
        _counters.ResumedFrom = resume?.DeliveredCount ?? 0;
        var resumedFailures = resume is not null && _paths.Failures is { } failuresFile && NativeMethods.KindOf(failuresFile) == FileKind.Regular ? CountLines(failuresFile) : 0;
        for (var i = 0L; i < _counters.ResumedFrom; i++)
        {
            // Failures delivered before the interruption still count: the exit code describes the whole job.
            _counters.OnDelivered(failed: i < resumedFailures);
        }

        // Counting reads the whole input once more: only a regular file (a pipe would be used up), and not CSV (records span lines).
        _counters.Total = inputIsFile && format != InputFormat.Csv && new FileInfo(options.Input).Length <= (1L << 30)
            ? InputReader.CountLines(options.Input, options.NullSeparated)
            : null;

        var runOptions = new RunOptions
        {
            Engine = options.Engine,
            // Auto mode chooses its own width (--jobs is then a ceiling); so does the cluster (the worker slots of its silos, whose
            // cores are not this machine's); the other engines default to the core count, like GNU parallel.
            MaxDegreeOfParallelism = options.Jobs ?? (options.Engine.Name is "auto" or "cluster" ? null : Environment.ProcessorCount),
            PreserveOrder = ordered,
            FailureMode = options.FailFast ? FailureMode.StopOnFirstFailure : FailureMode.Continue,
            Label = $"brigade run {options.Work.Description}",
            Progress = new RunningProgress(_counters),

            // The timeline is one entry per batch (per command, for --exec) up to 100,000: only --report and --trace show it.
            CollectTimeline = options.ReportPath is not null || options.TracePath is not null,
        };

        // Items that fail before running (malformed, or not convertible to the work's input) skip the engine and are
        // delivered in their place in the order, like results an interrupted run journaled.
        _pending = resume?.Pending ?? [];
        var prepared = Prepare(Rest(first, items), resume, cancellationToken);
        var stream = options.Work.Start(prepared, runOptions, OnCompleted);
        var interrupted = false;
        Exception? failure = null;
        using var stopRun = _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var marker = new Timer(_ => MarkOnTimer(), null, WatermarkInterval, WatermarkInterval);
        await using (ProgressView.Start(_counters, stderr, options.Quiet, interactive).ConfigureAwait(false))
        {
            try
            {
                await foreach (var result in stream.Results.WithCancellation(stopRun.Token).ConfigureAwait(false))
                {
                    InputItem item;
                    lock (_gate)
                    {
                        _inFlight.Remove(result.Index, out item!);
                    }

                    DeliverPendingBefore(ordered ? item.Index : long.MaxValue);
                    Deliver(item, result.IsSuccess ? result.Value : null, result.IsSuccess ? null : result.Exception.Message);
                }

                DeliverPendingBefore(long.MaxValue);
                if (_stoppedAt is { } stop)
                {
                    await stderr.WriteLineAsync($"brigade run: stopped at {stop}").ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }
            catch (Exception e)
            {
                // Cancelled by the watermark timer: the write that failed is the reason.
                failure = e is OperationCanceledException && Volatile.Read(ref _writeError) is { } writeError ? writeError : e;
            }

            // Waits for a watermark being written, so the last one below is the last one.
            await marker.DisposeAsync().ConfigureAwait(false);
            try
            {
                CloseFiles(runFailed: failure is not null, resumed: resume is not null);
            }
            catch (CliIOException e)
            {
                failure = e; // the last flush failed (a full disk): what the journal's last watermark covers is kept
            }
            finally
            {
                await options.Work.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (failure is not null)
        {
            return await StoppedAsync(failure).ConfigureAwait(false);
        }

        return await FinishAsync(stream.Report, interrupted).ConfigureAwait(false);
    }

    // A run that failed part-way (a file could not be written, the cluster made no progress) ends like an interrupted
    // one when its journal is kept: the reason in one line, then the summary (done, failed, not run; for the cluster,
    // the silos lost) and the command that continues it. Without a journal (nothing reached the outputs) the reason
    // alone, but for the cluster, whose summary says what became of the silos.
    private async Task<int> StoppedAsync(Exception failure)
    {
        var journalKept = _journal is not null && File.Exists(_journal.Path);
        if (failure is CliUsageException or OperationCanceledException || (!journalKept && failure is not ClusterUnavailableException { SiloCount: > 0 }))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var reason = failure is CliIOException ? failure.Message : $"{failure.GetType().Name}: {failure.Message}";
        await stderr.WriteLineAsync($"brigade: {reason}").ConfigureAwait(false);
        var done = _counters.Delivered - _counters.Failed;
        var notRun = _counters.Total is { } total ? $"{Math.Max(0, total - _counters.Delivered):N0}" : "the rest";
        var summary = $"brigade run: {done:N0} items done, {_counters.Failed:N0} failed, {notRun} not run";
        if (failure is ClusterUnavailableException { SiloCount: > 0 } cluster)
        {
            summary += cluster.LostSilos.Count == 0
                ? $"; silos lost: 0 of {cluster.SiloCount} (none was seen to leave: the client may have lost its way to the cluster)"
                : $"; silos lost: {cluster.LostSilos.Count} of {cluster.SiloCount} ({string.Join("; ", cluster.LostSilos)})";
        }

        var next = journalKept || _journal is null ? ResumeHint() : " Nothing reached the output: run the same command again.";
        await stderr.WriteLineAsync($"{summary}; stopped.{next}").ConfigureAwait(false);
        return ExitCodes.Failure;
    }

    private string ResumeHint() => _journal is not null
        ? $" Resume with: {options.CommandLine} --resume{(_paths.JournalInStateDirectory ? $" (journal: {_journal.Path})" : "")}"
        : " (no journal: give --output FILE or --journal FILE to make runs resumable)";

    /// <summary>Gets the report of the run, once <see cref="RunAsync"/> has returned.</summary>
    internal RunReport? Report { get; private set; }

    private async Task<int> FinishAsync(RunReport? report, bool interrupted)
    {
        Report = report;
        if (report is not null)
        {
            try
            {
                if (options.ReportPath is { } html)
                {
                    HtmlReport.WriteFile(html, [report], $"brigade run — {options.Work.Description}");
                }

                if (options.TracePath is { } trace)
                {
                    ChromeTrace.WriteFile(trace, [report]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliIOException($"cannot write the report: {RunFiles.Reason(e)} (the run itself finished: {_counters.Delivered:N0} items, {_counters.Failed:N0} failed)", e);
            }
        }

        var summary = $"brigade run: {_counters.Delivered:N0} items, {_counters.Failed:N0} failed";
        if (interrupted)
        {
            await stderr.WriteLineAsync($"{summary}; interrupted.{ResumeHint()}").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }

        if (_paths.Failures is { } f && _counters.Failed > 0)
        {
            summary += $" (see {f})";
        }

        if (report is not null)
        {
            summary += $"; {report.Engine} ×{report.DegreeOfParallelism}, {report.WallTime.TotalSeconds:0.00} s";
            if (report.Items == 0 && _counters.Delivered > _counters.ResumedFrom)
            {
                // Every item failed before it could run (malformed, or a field it does not have): the engine saw
                // none, and its plan ("the input was empty") would say the opposite of what happened.
                summary += "; no item reached the engine";
            }
            else if (report.Plan is { } plan)
            {
                summary += $"; plan: {plan}";
            }

            // Why not faster, on its own line, when the run lost a tenth of its ideal and was long enough to matter.
            if (report.Items > 0 && report.WallTime >= TimeSpan.FromMilliseconds(100) && report.Losses is { } losses && losses.Gap >= losses.Ideal * 0.10)
            {
                summary += $"{Environment.NewLine}brigade run: why not faster: {losses.Summary}";
            }
        }

        if (!options.Quiet)
        {
            await stderr.WriteLineAsync(summary).ConfigureAwait(false);
        }

        // A finished run needs no journal (the outputs are complete), only a record that it finished, for --resume; and an
        // empty failures file says nothing.
        if (_journal is not null && !options.FailFast)
        {
            CompletionRecord.Write(_journal.Path, _header, FinalMark(), _counters.Failed);
            RunFiles.DeleteQuietly(_journal.Path);
        }

        if (_paths.Failures is { } failuresPath && _counters.Failed == 0 && NativeMethods.KindOf(failuresPath) == FileKind.Regular && new FileInfo(failuresPath).Length == 0)
        {
            RunFiles.DeleteQuietly(failuresPath);
        }

        return _counters.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    // Every item read is in the outputs: the watermark a finished run's record keeps.
    private JournalRecord FinalMark()
    {
        var (inputBytes, inputItems, inputSha) = _fingerprint!.Snapshot();
        static long? LengthOf(string? path) => path is not null && NativeMethods.KindOf(path) == FileKind.Regular ? new FileInfo(path).Length : null;
        return new JournalRecord
        {
            Kind = "w",
            UpTo = inputItems,
            OutputLength = _paths.OutputIsSpecial || _paths.Output == "-" ? null : LengthOf(_paths.Output),
            FailuresLength = LengthOf(_paths.Failures),
            InputBytes = inputBytes,
            InputItems = inputItems,
            InputSha256 = inputSha,
        };
    }

    // Reads the input in order, leaves out what an interrupted run already delivered or journaled, and hands the
    // rest to the work; an item that cannot run becomes a pending failure in its place.
    private async IAsyncEnumerable<(InputItem Item, object Prepared)> Prepare(IAsyncEnumerable<InputItem> items, ResumeState? resume, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long position = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (resume is not null && (resume.IsDelivered(item.Index) || resume.Pending.ContainsKey(item.Index)))
            {
                continue;
            }

            string? error = item.Malformed is not null ? $"malformed input: {item.Malformed}" : null;
            object? value = null;
            if (error is null)
            {
                try
                {
                    value = options.Work.Prepare(item);
                }
                catch (FormatException e)
                {
                    error = e.Message;
                }
            }

            if (error is not null)
            {
                lock (_gate)
                {
                    _pending[item.Index] = new JournalRecord { Kind = "r", Index = item.Index, Line = item.Line, ItemText = item.Text, Error = error };
                }

                if ((options.StrictInput && item.Malformed is not null) || options.FailFast)
                {
                    _stoppedAt = $"line {item.Line}: {error}{(options.FailFast ? " (--fail-fast)" : " (--strict-input)")}";
                    yield break;
                }

                continue;
            }

            lock (_gate)
            {
                _inFlight[position] = item;
            }

            position++;
            yield return (item, value!);
        }
    }

    private void OnCompleted(InputItem item, byte[]? output, string? error)
    {
        // Only ordered runs need this: their results may wait for an earlier item, and a kill must not lose them.
        if (_journal is not null && !options.Unordered)
        {
            _journal.Append(error is null
                ? new JournalRecord { Kind = "r", Index = item.Index, Output = output }
                : new JournalRecord { Kind = "r", Index = item.Index, Line = item.Line, ItemText = item.Text, Error = error });
        }
    }

    private void DeliverPendingBefore(long index)
    {
        while (true)
        {
            JournalRecord record;
            lock (_gate)
            {
                if (_pending.Count == 0 || _pending.Keys.First() >= index)
                {
                    return;
                }

                record = _pending.Values.First();
                _pending.Remove(record.Index!.Value);
            }

            var item = new InputItem(record.Index!.Value, record.Line ?? 0, record.ItemText ?? "");
            Deliver(item, record.Error is null ? record.Output ?? [] : null, record.Error);
        }
    }

    private void Deliver(InputItem item, byte[]? output, string? error)
    {
        lock (_writeGate)
        {
            DeliverLocked(item, output, error);
        }
    }

    private void DeliverLocked(InputItem item, byte[]? output, string? error)
    {
        if (_writeError is { } failed)
        {
            throw new CliIOException(failed.Message, failed);
        }

        if (error is null)
        {
            Write(_output!, "--output", _paths.Output, output);
        }
        else
        {
            var failure = new FailureRecord { Index = item.Index, Line = item.Line, Input = item.Text, Error = error };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(failure, RunJsonContext.Readable.FailureRecord);
            if (_failures is not null)
            {
                Write(_failures, "--failures", _paths.Failures!, [.. bytes, (byte)'\n']);
            }
            else
            {
                stderr.WriteLine(Encoding.UTF8.GetString(bytes));
            }
        }

        _counters.OnDelivered(error is not null);
        if (options.Unordered)
        {
            _deliveredSinceMark.Add(item.Index);
        }
        else
        {
            _upTo = item.Index + 1;
        }

        Mark(force: false);
    }

    // Flush the outputs, then record how far they go: the order is what makes a kill at any moment resumable.
    private void Mark(bool force)
    {
        if (!force && DateTime.UtcNow - _lastMark < WatermarkInterval)
        {
            return;
        }

        _lastMark = DateTime.UtcNow;
        var (inputBytes, inputItems, inputSha) = _fingerprint!.Snapshot();
        if (_upTo == _markedUpTo && inputBytes == _markedInputBytes && _deliveredSinceMark.Count == 0)
        {
            return; // nothing new to record
        }

        if (_output is not null)
        {
            Write(_output, "--output", _paths.Output, null);
        }

        if (_failures is not null)
        {
            Write(_failures, "--failures", _paths.Failures!, null);
        }

        if (_journal is null || _output is null)
        {
            return;
        }

        var o = _output.CanSeek ? _output.Length : (long?)null;
        var f = _failures is { CanSeek: true } ? _failures.Length : (long?)null;
        if (options.Unordered)
        {
            if (_deliveredSinceMark.Count == 0)
            {
                return;
            }

            _journal.Append(new JournalRecord { Kind = "u", Delivered = [.. _deliveredSinceMark], OutputLength = o, FailuresLength = f, InputBytes = inputBytes, InputItems = inputItems, InputSha256 = inputSha });
            _deliveredSinceMark.Clear();
        }
        else
        {
            _journal.Append(new JournalRecord { Kind = "w", UpTo = _upTo, OutputLength = o, FailuresLength = f, InputBytes = inputBytes, InputItems = inputItems, InputSha256 = inputSha });
        }

        _journal.Flush();
        _markedDelivered = _counters.Delivered;
        _markedUpTo = _upTo;
        _markedInputBytes = inputBytes;
    }

    // Writes (or, with no bytes, flushes) an output; a full disk or a broken pipe is one line naming the user's path.
    private static void Write(Stream stream, string option, string path, byte[]? bytes)
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliIOException($"cannot write {option} '{path}': {RunFiles.Reason(e)}", e);
        }
    }

    // On resume: the journal says what is done; it is refused (before anything is touched) when it belongs to another
    // run, when the outputs are shorter than it says they were, or when the input no longer begins with what was read.
    private (ResumeState? State, long JournalLength) ReadJournal(JournalRecord header, bool inputIsFile)
    {
        if (_paths.Journal is not { } path)
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
        CheckStillThere("--output", _paths.OutputIsSpecial ? null : _paths.Output, state.OutputLength, path);
        if (_paths.Failures is { } failures && NativeMethods.KindOf(failures) != FileKind.Special)
        {
            CheckStillThere("--failures", failures, state.FailuresLength, path);
        }

        if (state.InputRead is { } read && inputIsFile && InputFingerprint.HashPrefix(options.Input, read.Bytes) != read.Sha256)
        {
            throw new CliUsageException(
                $"--resume: the input '{options.Input}' changed since the interrupted run (its first {read.Bytes:N0} bytes are not what that run read); results would mix old and new items: delete the journal '{path}' to start over");
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
            foreach (var (option, file, expected) in new[] { ("--output", _paths.OutputIsSpecial ? null : _paths.Output, state.OutputLength), ("--failures", _paths.Failures, state.FailuresLength) })
            {
                var length = file is not null && File.Exists(file) ? new FileInfo(file).Length : 0;
                if (file is not null && NativeMethods.KindOf(file) != FileKind.Special && length < expected)
                {
                    throw new CliUsageException($"--resume: this run finished, but {option} '{file}' has {length:N0} of the {expected:N0} bytes it wrote; run without --resume to start over");
                }
            }

            if (state.InputRead is { } read && inputIsFile)
            {
                if (InputFingerprint.HashPrefix(options.Input, read.Bytes) != read.Sha256)
                {
                    throw new CliUsageException($"--resume: this run finished, and its input '{options.Input}' changed since (its first {read.Bytes:N0} bytes are not what it read); run without --resume to start over");
                }

                if (new FileInfo(options.Input).Length == read.Bytes)
                {
                    _alreadyComplete = record.Failed;
                    return (state, record.Length);
                }
            }

            // Items were appended to the input (or it is stdin, which cannot be checked): the record becomes the journal.
            _restoreJournalFrom = record.Path;
            return (state, record.Length);
        }

        string? Holding(string? file) => file is not null && NativeMethods.KindOf(file) == FileKind.Regular && new FileInfo(file).Length > 0 ? file : null;
        if ((Holding(_paths.OutputIsSpecial ? null : _paths.Output) ?? Holding(_paths.Failures)) is { } holding)
        {
            throw new CliUsageException(
                $"--resume: '{holding}' holds results, but there is no journal at '{journal}' and no record of this run finishing, so which items are done is unknown; run without --resume to start over (it overwrites the outputs)");
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

    private Stream OpenInput()
    {
        if (options.Input == "-")
        {
            return Console.OpenStandardInput();
        }

        try
        {
            return new FileStream(options.Input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliIOException($"cannot read the input '{options.Input}': {RunFiles.Reason(e)}", e);
        }
    }

    // Creates the journal, then opens (and on a fresh run truncates) the outputs: an output without a journal beside it
    // is always a finished run's. If one fails, what this run created is removed.
    private void OpenFiles(JournalRecord header, ResumeState? resume, long journalLength)
    {
        try
        {
            if (_paths.Journal is { } journal)
            {
                if (_paths.JournalInStateDirectory)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
                }

                if (resume is not null)
                {
                    if (_restoreJournalFrom is { } record)
                    {
                        RestoreJournal(record, journal);
                    }

                    _journal = Journal.OpenForAppend(journal, journalLength);
                }
                else
                {
                    _journal = Journal.Create(journal, header);
                    _created.Add(journal);

                    // The outputs are truncated next: a record that this run once finished no longer describes them.
                    CompletionRecord.Delete(journal);
                }
            }

            _output = _paths.Output == "-"
                ? new TextWriterStream(stdout)
                : Track(RunFiles.OpenOutput(_paths.Output, "--output", resume?.OutputLength ?? 0, out var createdOutput), _paths.Output, createdOutput);
            if (_paths.Failures is { } failures)
            {
                _failures = Track(RunFiles.OpenOutput(failures, "--failures", resume?.FailuresLength ?? 0, out var createdFailures), failures, createdFailures);
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

    private FileStream Track(FileStream file, string path, bool created)
    {
        if (created)
        {
            _created.Add(path);
        }

        return file;
    }

    private void MarkOnTimer()
    {
        lock (_writeGate)
        {
            if (_writeError is not null)
            {
                return;
            }

            try
            {
                Mark(force: true);
                return;
            }
            catch (CliIOException e)
            {
                // The delivery loop reports it: the run stops now rather than at its next result, which may be far off.
                Volatile.Write(ref _writeError, e);
            }
        }

        // Outside the lock: cancelling runs the engine's callbacks.
        _stop?.Cancel();
    }

    // Flushes and closes. A write that fails now (a full disk) is reported, unless the run already failed (its error is
    // the one to show); the journal keeps its last good watermark. A run that failed before any result reached the
    // outputs (the engine refused the work, the cluster went away, the output cannot be written) leaves no journal: it
    // would only make the same command refuse to start again.
    private void CloseFiles(bool runFailed, bool resumed)
    {
        var error = _writeError;
        try
        {
            lock (_writeGate)
            {
                Mark(force: true);
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
        catch (Exception e) when (e is IOException or CliIOException)
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

    private static async IAsyncEnumerable<InputItem> Rest(InputItem? first, IAsyncEnumerator<InputItem> items)
    {
        if (first is null)
        {
            yield break;
        }

        yield return first;
        while (await items.MoveNextAsync().ConfigureAwait(false))
        {
            yield return items.Current;
        }
    }

    private static string Name(InputFormat format) => format switch
    {
        InputFormat.JsonLines => "jsonlines",
        InputFormat.Csv => "csv",
        _ => "lines",
    };

    private static long CountLines(string path)
    {
        long lines = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }

    private sealed class RunningProgress(RunCounters counters) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => counters.SetRunning(value.Running);
    }
}
