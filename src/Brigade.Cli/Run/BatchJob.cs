using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
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
    private Stream? _output;
    private Stream? _failures;
    private Journal? _journal;
    private long _upTo;
    private readonly List<long> _deliveredSinceMark = [];

    // Guards _inFlight and _pending: the input is read on the engine's workers, results are delivered here.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, InputItem> _inFlight = [];
    private SortedDictionary<long, JournalRecord> _pending = [];
    private string? _stoppedAt;
    private DateTime _lastMark = DateTime.UtcNow;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var format = InputReader.Resolve(options.Format, options.Input);
        var ordered = !options.Unordered;
        var header = new JournalRecord
        {
            Kind = "h",
            Version = 1,
            Input = options.Input == "-" ? "-" : Path.GetFullPath(options.Input),
            Work = options.Work.Description,
            Ordered = ordered,
        };

        if (options.Input != "-" && !File.Exists(options.Input))
        {
            throw new CliUsageException(Directory.Exists(options.Input)
                ? $"'{options.Input}' is a directory; give an input file (one item per line, JSON Lines or CSV), or - for stdin"
                : $"input file '{options.Input}' not found");
        }

        var resume = OpenJournal(header);
        OpenOutputs(resume);
        _upTo = resume?.UpTo ?? 0;
        _counters.ResumedFrom = resume?.DeliveredCount ?? 0;
        var resumedFailures = resume is not null && options.Failures is { } failuresFile ? CountLines(failuresFile) : 0;
        for (var i = 0L; i < _counters.ResumedFrom; i++)
        {
            // Failures delivered before the interruption still count: the exit code describes the whole job.
            _counters.OnDelivered(failed: i < resumedFailures);
        }

        _counters.Total = options.Input != "-" ? CountItems(options.Input, format) : null;

        using var input = options.Input == "-" ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8) : new StreamReader(options.Input, Encoding.UTF8);
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
        };

        // Items that fail before running (malformed, or not convertible to the work's input) skip the engine and are
        // delivered in their place in the order, like results an interrupted run journaled.
        _pending = resume?.Pending ?? [];
        var prepared = Prepare(InputReader.ReadAsync(input, format, cancellationToken), resume, cancellationToken);
        var stream = options.Work.Start(prepared, runOptions, OnCompleted);
        var interrupted = false;
        var discardJournal = false;
        await using (ProgressView.Start(_counters, stderr, options.Quiet, interactive).ConfigureAwait(false))
        {
            try
            {
                await foreach (var result in stream.Results.WithCancellation(cancellationToken).ConfigureAwait(false))
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
            catch (Exception) when (resume is null && _counters.Delivered == 0)
            {
                // The run failed before any result (the engine refused the work, the cluster went away): a journal
                // with nothing in it would only make the same command refuse to start again.
                discardJournal = true;
                throw;
            }
            finally
            {
                Mark(force: true);
                _journal?.Dispose();
                if (discardJournal && _journal is not null)
                {
                    File.Delete(_journal.Path);
                }

                if (_output is not null)
                {
                    await _output.DisposeAsync().ConfigureAwait(false);
                }

                if (_failures is not null)
                {
                    await _failures.DisposeAsync().ConfigureAwait(false);
                }

                await options.Work.DisposeAsync().ConfigureAwait(false);
            }
        }

        return await FinishAsync(stream.Report, interrupted).ConfigureAwait(false);
    }

    /// <summary>Gets the report of the run, once <see cref="RunAsync"/> has returned.</summary>
    internal RunReport? Report { get; private set; }

    private async Task<int> FinishAsync(RunReport? report, bool interrupted)
    {
        Report = report;
        if (report is not null)
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

        var summary = $"brigade run: {_counters.Delivered:N0} items, {_counters.Failed:N0} failed";
        if (interrupted)
        {
            var resumeHint = _journal is not null
                ? $" Resume with: {options.CommandLine} --resume"
                : " (no journal: give --output FILE or --journal FILE to make runs resumable)";
            await stderr.WriteLineAsync($"{summary}; interrupted.{resumeHint}").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }

        if (options.Failures is { } f && _counters.Failed > 0)
        {
            summary += $" (see {f})";
        }

        if (report is not null)
        {
            summary += $"; {report.Engine} ×{report.DegreeOfParallelism}, {report.WallTime.TotalSeconds:0.00} s";
            if (report.Plan is { } plan)
            {
                summary += $"; plan: {plan}";
            }
        }

        if (!options.Quiet)
        {
            await stderr.WriteLineAsync(summary).ConfigureAwait(false);
        }

        // A finished run needs no journal (the outputs are complete) and an empty failures file says nothing.
        if (_journal is not null && !options.FailFast)
        {
            File.Delete(_journal.Path);
        }

        if (options.Failures is { } failuresPath && _counters.Failed == 0 && File.Exists(failuresPath) && new FileInfo(failuresPath).Length == 0)
        {
            File.Delete(failuresPath);
        }

        return _counters.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
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
        if (error is null)
        {
            _output!.Write(output);
        }
        else
        {
            var failure = new FailureRecord { Index = item.Index, Line = item.Line, Input = item.Text, Error = error };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(failure, RunJsonContext.Readable.FailureRecord);
            if (_failures is not null)
            {
                _failures.Write(bytes);
                _failures.WriteByte((byte)'\n');
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
        _output?.Flush();
        _failures?.Flush();
        if (_journal is null || _output is null)
        {
            return;
        }

        var o = _output.CanSeek ? _output.Length : (long?)null;
        var f = _failures?.Length;
        if (options.Unordered)
        {
            if (_deliveredSinceMark.Count == 0)
            {
                return;
            }

            _journal.Append(new JournalRecord { Kind = "u", Delivered = [.. _deliveredSinceMark], OutputLength = o, FailuresLength = f });
            _deliveredSinceMark.Clear();
        }
        else
        {
            _journal.Append(new JournalRecord { Kind = "w", UpTo = _upTo, OutputLength = o, FailuresLength = f });
        }

        _journal.Flush();
    }

    private ResumeState? OpenJournal(JournalRecord header)
    {
        if (options.JournalPath is not { } path)
        {
            if (options.Resume)
            {
                throw new CliUsageException("--resume needs a journal: give --output FILE (the journal is FILE.journal) or --journal FILE");
            }

            return null;
        }

        if (options.Resume)
        {
            if (!File.Exists(path))
            {
                throw new CliUsageException($"--resume: no journal at '{path}' (nothing to resume; run without --resume)");
            }

            var (journal, state) = Journal.Resume(path, header);
            _journal = journal;
            return state;
        }

        if (File.Exists(path))
        {
            throw new CliUsageException($"a journal from an earlier, unfinished run exists at '{path}': add --resume to continue it, or delete it to start over");
        }

        _journal = Journal.Create(path, header);
        return null;
    }

    private void OpenOutputs(ResumeState? resume)
    {
        _output = options.Output == "-"
            ? new TextWriterStream(stdout)
            : OpenTruncated(options.Output, resume?.OutputLength ?? 0);
        if (options.Failures is { } failures)
        {
            _failures = OpenTruncated(failures, resume?.FailuresLength ?? 0);
        }
    }

    private static FileStream OpenTruncated(string path, long length)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 16);
        file.SetLength(Math.Min(length, file.Length));
        file.Seek(0, SeekOrigin.End);
        return file;
    }

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

    private static long? CountItems(string path, InputFormat format)
    {
        if (format == InputFormat.Csv || new FileInfo(path).Length > (1L << 30))
        {
            return null;
        }

        long count = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                count++;
            }
        }

        return count;
    }

    private sealed class RunningProgress(RunCounters counters) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => counters.SetRunning(value.Running);
    }
}
