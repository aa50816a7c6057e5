using System.Runtime.CompilerServices;
using System.Text.Json;
#if !BRIGADE_NATIVE_FRONT
using Brigade.Orleans;
#endif
using Brigade.Reporting;

namespace Brigade.Cli.Run;

/// <summary>
/// <c>brigade run</c>: reads items lazily, runs a command per item on a Brigade engine, writes results in input
/// order (or as they finish), failures to their own file, and keeps a journal so any interruption can be resumed.
/// </summary>
internal sealed class BatchJob(RunJobOptions options, TextWriter stdout, TextWriter stderr, bool interactive)
{
    private readonly RunCounters _counters = new();
    private RunPaths _paths = null!;

    // The input is a pipe or FIFO named by a path (`<(seq 200)`, which is /dev/fd/63; `mkfifo`): read once, like stdin.
    private bool _inputIsPipe;
    private RunOutputs _outputs = null!;
    private JournalRecord _header = null!;

    // Cancelled when a watermark cannot be written (a full disk): the run stops instead of running on unjournaled.
    private CancellationTokenSource? _stop;

    // Guards _inFlight and _pending: the input is read on the engine's workers, results are delivered here.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, PreparedItem> _inFlight = [];
    private SortedDictionary<long, JournalRecord> _pending = [];
    private string? _stoppedAt;

    // An item of this run failed (not one an interrupted run delivered before the resume): what --fail-fast stops at.
    private volatile bool _failedThisRun;

    // The records over the limit that this run read through (and failed, unrun), the first one's line, and the time spent
    // reading them: the workers' wait for the input, which "why not faster" would otherwise lay on the input's speed.
    // Written by Prepare (one enumerator, in order), read once the run is over.
    private long _oversized;
    private long _oversizedLine;
    private long _oversizedTicks;

    // A resumed run reads its input again up to where it stopped and skips what was done: how many items it skipped before
    // the first one it handed to the engine, and how long that took (run63: two appended lines read "start-up 96%: workers
    // started late: check for a slow input" after 20,000 lines were read and skipped). Written by Prepare, read at the end.
    private long _resumeSkipped;
    private long _resumeSkipTicks;

    // How long the input took to give its first item (a pipe whose producer is slow to start): the run's clock starts
    // after it, so a run fed after 2 s said "0.17 s" of a command that took 2.4 s.
    private TimeSpan _firstItemWait;
    private bool _inputHeldNoItem;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // A write past `ulimit -f` fails (EFBIG) instead of killing brigade without a word (run60).
        FileSizeSignal.Ignore();
        var format = InputReader.Resolve(options.Format, options.Input);
        if (options.NullSeparated && format != InputFormat.Lines)
        {
            throw new CliUsageException($"--null separates items by NUL bytes; it does not combine with --format {Name(format)}");
        }

        // An empty path ("$IN" with IN unset) is a usage error, not .NET's ArgumentException from Path.GetFullPath.
        foreach (var (option, path) in new[] { ("the input", options.Input), ("--output", options.Output), ("--failures", options.Failures), ("--journal", options.JournalPath), ("--report", options.ReportPath), ("--trace", options.TracePath) })
        {
            if (path is not null && path.Length == 0)
            {
                throw new CliUsageException($"{option}: the path is empty; give a file{(option is "the input" or "--output" ? ", or - for standard " + (option == "the input" ? "input" : "output") : "")}");
            }
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

        if ((options.Input == "-" || RunFiles.StandardDescriptor(options.Input) == 0) && !NativeMethods.IsInherited(0))
        {
            throw new CliUsageException($"the input is {options.Input} but standard input is closed; give an input file, or pipe the items in (... | brigade run - ...)");
        }

        if (options.Input == "-" && !OperatingSystem.IsWindows() && Directory.Exists("/dev/stdin"))
        {
            // `brigade run - < somedir`: the first read failed with "IOException: Is a directory", exit 1 (run52).
            throw new CliUsageException("the input is - but standard input is a directory; give an input file, or pipe the items in (... | brigade run - ...)");
        }

        // A closed stdout or stderr: its number was reused by a pipe of the runtime's, and /dev/stdout led into that pipe
        // (the results went nowhere, exit 0).
        foreach (var (option, path) in new[] { ("--output", options.Output), ("--failures", options.Failures), ("--journal", options.JournalPath), ("--report", options.ReportPath), ("--trace", options.TracePath) })
        {
            if (path is not null && (path == "-" && option == "--output" ? 1 : RunFiles.StandardDescriptor(path)) is { } fd and > 0 && !NativeMethods.IsInherited(fd))
            {
                throw new CliUsageException($"{option} is {path} but standard {(fd == 1 ? "output" : "error")} is closed; give a file");
            }
        }

        // Everything is checked before anything is created or truncated: paths, the journal, the input, the command.
        _paths = RunPaths.Resolve(options.Input, options.Output, options.Failures, options.JournalPath, options.ReportPath, options.TracePath, options.Work.Description, options.Resume);

        // Another run on the same output or journal (still running) is refused before its journal is read or anything
        // is written: its journal is live, not "an earlier, unfinished run's", and two writers would mix the outputs.
        using var held = RunLock.Take(_paths);
        var inputKind = options.Input == "-" ? FileKind.Missing : NativeMethods.KindOf(options.Input);
        var inputIsFile = inputKind == FileKind.Regular;
        _inputIsPipe = inputKind == FileKind.Special;
        var resumeFrom = new RunResume(options, _paths, stderr);
        var (resume, journalLength) = resumeFrom.Read(header, inputIsFile);
        if (resumeFrom.AlreadyCompleteFailed is { } failedBefore)
        {
            if (!options.Quiet)
            {
                var see = failedBefore > 0 && _paths.Failures is { } failed ? $" (see {failed})" : "";
                await stderr.WriteLineAsync($"brigade run: already complete: {resume!.UpTo:N0} items, {failedBefore:N0} failed{see}; nothing to resume").ConfigureAwait(false);
            }

            return failedBefore > 0 ? ExitCodes.Failure : ExitCodes.Success;
        }

        var fingerprint = new InputFingerprint();
        var inputStream = await OpenInputAsync(cancellationToken).ConfigureAwait(false);
        await using var inputScope = inputStream.ConfigureAwait(false);
        // Reads end on the command's token until the run starts, then on the run's (see Rest).
        var items = new InputItems(InputReader.ReadAsync(inputStream, format, options.NullSeparated, fingerprint, CancellationToken.None));
        await using var itemsScope = items.ConfigureAwait(false);
        InputItem? first;
        var askedFirst = System.Diagnostics.Stopwatch.GetTimestamp();
        using (cancellationToken.UnsafeRegister(static s => ((InputItems)s!).StopReading(), items))
        {
            first = await items.Reader.MoveNextAsync().ConfigureAwait(false) ? items.Reader.Current : null;
        }

        // A regular file's first read is brigade's own start (at load, JIT work: 0.16 s in ci167), not a wait for a producer.
        _firstItemWait = inputIsFile ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(askedFirst);
        _inputHeldNoItem = first is null;
        if (first is not null)
        {
            options.Work.CheckFirstItem(first);
        }

        _outputs = new RunOutputs(options, _paths, _counters, stdout, stderr);
        _outputs.OpenChecked(header, resume, journalLength, resumeFrom.RestoreJournalFrom, fingerprint, cancellationToken);
        _counters.ResumedFrom = resume?.DeliveredCount ?? 0;
        var resumedFailures = resume is null ? 0 : EarlierFailures(resume);
        for (var i = 0L; i < _counters.ResumedFrom; i++)
        {
            // Failures delivered before the interruption still count: the exit code describes the whole job.
            _counters.OnDelivered(failed: i < resumedFailures);
        }

        // Counting reads the whole input once more: only a regular file (a pipe would be used up), and not CSV (records span lines).
        _counters.Total = inputIsFile && format != InputFormat.Csv && new FileInfo(options.Input).Length <= (1L << 30)
            ? InputReader.CountLines(options.Input, options.NullSeparated)
            : null;

        // One item (or none) leaves auto mode nothing to choose, and its start (its plan cache, its controller thread) was
        // a fifth of a one-line run's CPU: that run goes through the sequential engine, which starts with nothing.
        var engine = options.Engine.Name == "auto" && _counters.Total is <= 1 ? Engine.Sequential : options.Engine;
        var label = $"brigade run {options.Work.Description}";
        var runOptions = new RunOptions
        {
            Engine = engine,
            // Auto mode chooses its own width (--jobs is then a ceiling); so does the cluster (the worker slots of its silos, whose
            // cores are not this machine's); the other engines default to the core count, like GNU parallel.
            MaxDegreeOfParallelism = options.Jobs ?? (engine.Name is "auto" or "cluster" ? null : Environment.ProcessorCount),
            PreserveOrder = ordered,

            // The loop below then consumes a result on the worker that finished it when it is next (no thread woken per
            // result): its body only writes the outputs, under their own lock, and never waits for the run.
            AllowSynchronousContinuations = true,
            FailureMode = options.FailFast ? FailureMode.StopOnFirstFailure : FailureMode.Continue,
            Label = label,

            // Every command runs through one delegate: the command tells their plans apart (the same key as when the label did).
            PlanKey = label,
            Progress = new RunningProgress(_counters, LineOf),

            // The timeline is one entry per batch (per command, for --exec) up to 100,000: only --report and --trace show it.
            CollectTimeline = options.ReportPath is not null || options.TracePath is not null,
        };

        // Items that fail before running (malformed, or not convertible to the work's input) skip the engine and are
        // delivered in their place in the order, like results an interrupted run journaled.
        _pending = resume?.Pending ?? [];
        var prepared = Prepare(Rest(first, items, _counters, CancellationToken.None), resume, CancellationToken.None);
        var stream = options.Work.Start(prepared, runOptions, _outputs.OnCompleted);
        var interrupted = false;
        Exception? failure = null;
        using var stopRun = _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var marker = new Timer(_ => MarkOnTimer(), null, RunOutputs.WatermarkInterval, RunOutputs.WatermarkInterval);
        var view = ProgressView.Start(_counters, stderr, options.Quiet, interactive);
        // The first signal's stop is said at once, the second's end too (TerminationSignal): before run64 a Ctrl+C printed
        // nothing until the stop was over, and a second one ended brigade without a word.
        using var stopping = cancellationToken.Register(SayStopping);
        TerminationSignal.AtForcedExit = SayForcedExit;
        await using (view.ConfigureAwait(false))
        {
            _outputs.BeforeWrite = view.BeforeOutput;
            var stuck = false;
            try
            {
                stuck = await DeliveredOrStuckAsync(DeliverAsync(stream, ordered, stopRun.Token), cancellationToken).ConfigureAwait(false);
                if (!stuck && _stoppedAt is { } stop)
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
                failure = e is OperationCanceledException && _outputs.WriteError is { } writeError ? writeError : e;
            }

            if (stuck)
            {
                // Interrupted while a write was stuck: nothing waits for it (see DeliveredOrStuckAsync).
                interrupted = true;
                marker.Dispose();
                _outputs.Abandon();
            }
            else
            {
                // Waits for a watermark being written, so the last one below is the last one.
                await marker.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                if (!stuck)
                {
                    _outputs.Close(runFailed: failure is not null, resumed: resume is not null);
                }
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

        return await FinishAsync(stream.Report, interrupted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The report of a run interrupted at <paramref name="counters"/>: cancelled, saying so on its page and trace, and
    /// counting the input's items (its total when known, else those read so far) and those done as the summary line does
    /// (report 72: a 60-line input stopped at 36 showed "Items 40, Not run 4" and no word of the interrupt).</summary>
    internal static RunReport InterruptedReport(RunReport report, RunCounters counters)
    {
        var done = Math.Max(0, counters.Delivered - counters.ResumedFrom);
        var known = counters.Total is { } total ? Math.Max(done, total - counters.ResumedFrom) : (long?)null;
        var items = known ?? Math.Max(done, report.Items);
        var earlier = counters.ResumedFrom > 0 ? $"; {counters.ResumedFrom:N0} done by the runs before" : "";
        var of = known is null ? $"the {items:N0} items read so far" : $"{items:N0} items";
        var unknown = known is null ? " (the input's total not known)" : "";
        return report.Interrupted(items, items - done, $"{done:N0} of {of} done, {items - done:N0} not done{unknown}{earlier}");
    }

    // A run that failed part-way (a file could not be written, the cluster made no progress) ends like an interrupted
    // one when its journal is kept: the reason in one line, then the summary (done, failed, not run; for the cluster,
    // the silos lost) and the command that continues it. Without a journal (nothing reached the outputs) the reason
    // alone, but for the cluster, whose summary says what became of the silos.
    private async Task<int> StoppedAsync(Exception failure)
    {
        TerminationSignal.AtForcedExit = null;
        if (BrokenPipe.Caused(failure))
        {
            // The output's reader went away (| head -1): the end of the pipeline, not a failure to report, as for a tool
            // SIGPIPE kills. A journal, if any, keeps what was written, and --resume goes on from there.
            return ExitCodes.BrokenPipe;
        }

        var journalKept = _outputs?.Journal is { } kept && File.Exists(kept.Path);
        if (failure is CliUsageException or OperationCanceledException || (!journalKept && !SilosLost(failure)))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var reason = failure is CliIOException ? failure.Message : $"{failure.GetType().Name}: {failure.Message}";
        await stderr.WriteLineAsync($"brigade: {reason}").ConfigureAwait(false);
        var done = _counters.Delivered - _counters.Failed;
        var notRun = _counters.Total is { } total ? $"{Math.Max(0, total - _counters.Delivered):N0}" : "the rest";
        var summary = $"brigade run: {done:N0} {(done == 1 ? "item" : "items")} done, {_counters.Failed:N0} failed, {notRun} not run";
#if !BRIGADE_NATIVE_FRONT
        if (failure is ClusterUnavailableException { SiloCount: > 0 } cluster)
        {
            summary += cluster.LostSilos.Count == 0
                ? $"; silos lost: 0 of {cluster.SiloCount} (none was seen to leave: the client may have lost its way to the cluster)"
                : $"; silos lost: {cluster.LostSilos.Count} of {cluster.SiloCount} ({string.Join("; ", cluster.LostSilos)})";
        }
#endif

        var next = journalKept || _outputs?.Journal is null ? ResumeHint() : " Nothing reached the output: run the same command again.";
        await stderr.WriteLineAsync($"{summary}; stopped.{next}").ConfigureAwait(false);
        return ExitCodes.Failure;
    }

#if BRIGADE_NATIVE_FRONT
    private static bool SilosLost(Exception failure) => false; // no cluster in the native front
#else
    private static bool SilosLost(Exception failure) => failure is ClusterUnavailableException { SiloCount: > 0 };
#endif

    // Said when the stop begins (a signal, or a caller's cancel): the signal's thread only starts the write, on a thread of
    // its own, since a terminal that takes no output (Ctrl+S) would otherwise hold the cancellation's other callbacks.
    // Not with --quiet (brigade's notices are silenced), unlike the summary that follows.
    private void SayStopping()
    {
        if (options.Quiet)
        {
            return;
        }

        var line = StoppingLine(TerminationSignal.Name, options.Work.RunningNow ?? _counters.Running, options.Work is ExecWork, _outputs?.Journal is not null);
        Volatile.Write(ref _stopNotice, Task.Factory.StartNew(() => stderr.WriteLine(line), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    private Task? _stopNotice;

    /// <summary>The line the first signal gets: what the clean stop does, and how to end it at once.</summary>
    /// <param name="signal">The signal's name (<c>SIGINT</c>), or null when a caller cancelled.</param>
    /// <param name="running">The items running when it came.</param>
    /// <param name="commands">Whether the items are commands (<c>--exec</c>) rather than a work type's items.</param>
    /// <param name="journal">Whether the run keeps a journal, so that its end names the command to resume.</param>
    internal static string StoppingLine(string? signal, long running, bool commands, bool journal)
    {
        var what = commands ? (running == 1 ? "command" : "commands") : (running == 1 ? "item" : "items");
        var stopsRunning = running > 0
            ? $"{(commands ? "killing" : "cancelling")} the {running:N0} running {what} (they run again on --resume)"
            : $"no {what} running";
        var again = signal switch
        {
            "SIGINT" => "Ctrl+C again ends brigade at once",
            null => null,
            _ => $"a second {signal} ends brigade at once",
        };
        return $"brigade run: stopping{(signal is null ? "" : $" ({signal})")}: starting no new items, {stopsRunning}, then the summary{(journal ? " and the command to resume" : "")}{(again is null ? "" : $"; {again}")}";
    }

    // Said by a second signal, which ends brigade at once (TerminationSignal): what it leaves and how to go on.
    // The first signal's line first, when it is still being written (a second Ctrl+C right after the first).
    private void SayForcedExit()
    {
        try
        {
            Volatile.Read(ref _stopNotice)?.Wait(TimeSpan.FromMilliseconds(200));
        }
        catch (AggregateException)
        {
            // That line could not be written: this one is still tried.
        }

        stderr.WriteLine(ForcedExitLine(holdOutputs: true));
    }

    /// <summary>The line a second signal gets before it ends brigade: what was done, what it leaves, and how to go on.</summary>
    internal string ForcedExitLine() => ForcedExitLine(holdOutputs: false);

    /// <summary>The line a second signal gets; with <paramref name="holdOutputs"/>, the outputs take no more results
    /// first (<see cref="RunOutputs.HoldForExit"/>), so that the line counts what they got, and no result comes after it.</summary>
    internal string ForcedExitLine(bool holdOutputs)
    {
        // The items the outputs hold (the last watermark's), not those handed to a buffer this exit never writes (run67).
        // Its failed count is the same watermark's (the review of run67: "0 items delivered (7 failed)"), and what is not in
        // the outputs is "not saved", not "not run": items that finished after the watermark ran, and --resume runs them again.
        // Held, an output that is not cut back (stdout, a pipe) got every result delivered, and keeps it: those are counted
        // (run68: -o - held items past the watermark, and more came after the line).
        var held = holdOutputs && _outputs is not null && _outputs.HoldForExit(ForcedExitHoldWait);
        var stuck = holdOutputs && _outputs is not null && !held;
        OutputsHeld |= held;
        var whole = (held || stuck) && _outputs is { OutputCutsBack: false };
        var done = whole ? _counters.Delivered : _outputs?.Written ?? _counters.Delivered;
        var failed = whole ? _counters.Failed : _outputs?.WrittenFailed ?? _counters.Failed;
        var running = options.Work.RunningNow ?? _counters.Running;
        var notRun = _counters.Total is { } total ? $"{Math.Max(0, total - done - running):N0}" : "the rest";
        var kept = _outputs?.Journal is null ? ""
            : whole ? $"; the output keeps them (it cannot be cut back), and --resume runs what the journal's last watermark does not hold{(stuck ? ", so a result written twice is possible" : "")}"
            : "; --resume cuts the outputs back to the journal's last watermark and runs what it does not hold";
        var partly = stuck ? ", one more partly written (its write was stuck)" : "";
        return $"brigade run: ended at once by a second {TerminationSignal.Name ?? "signal"}: {done:N0} {(done == 1 ? "item" : "items")} delivered ({failed:N0} failed){partly}, {running:N0} running killed, {notRun} not run or not saved{kept}.{ResumeHint()}";
    }

    // How long the forced exit waits for a result being written before it says its line (a write takes microseconds;
    // one stuck on a pipe nobody reads never ends). Within TerminationSignal's 500 ms for the whole line.
    private static readonly TimeSpan ForcedExitHoldWait = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets whether <see cref="ForcedExitLine(bool)"/> holds the outputs (tests).</summary>
    internal bool OutputsHeld { get; private set; }

    /// <summary>Lets results through again after <see cref="ForcedExitLine(bool)"/> held them (tests; same thread).</summary>
    internal void LetOutputsGo()
    {
        if (OutputsHeld)
        {
            OutputsHeld = false;
            _outputs!.LetGo();
        }
    }

    // Stdin cannot be read again: the resume needs the same items fed to it. Nor can a pipe given by its path: until run58
    // `brigade run <(seq 200) ...` printed `run /dev/fd/63 ... --resume`, which a shell runs without that descriptor.
    private string ResumeHint() => _outputs?.Journal is { } journal
        ? $" Resume with: {options.CommandLine} --resume{(options.Input == "-" ? ", fed the same items on stdin" : _inputIsPipe ? $", fed the same items again (the input '{options.Input}' is a pipe, which cannot be read twice)" : "")}{(_paths.JournalInStateDirectory ? $" (journal: {journal.Path})" : "")}"
        : " (no journal: give --output FILE or --journal FILE to make runs resumable)";

    /// <summary>Gets the input's number of items as the progress shows it (read at the input's end; for tests).</summary>
    internal long? Total => _counters.Total;

    /// <summary>Gets the report of the run, once <see cref="RunAsync"/> has returned.</summary>
    internal RunReport? Report { get; private set; }

    // The results, each written in its place as it comes (on the worker that finished it, when it is next).
    private async Task DeliverAsync(JobStream stream, bool ordered, CancellationToken cancellationToken)
    {
        await foreach (var result in stream.Results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            PreparedItem entry;
            lock (_gate)
            {
                _inFlight.Remove(result.Index, out entry!);
            }

            var item = entry.Item;
            _counters.OnAttempts(entry.Attempts);

            // Before it is counted delivered: the progress line never counts it both delivered and running (review 72).
            _counters.OnEngineResult();
            DeliverPendingBefore(ordered ? item.Index : long.MaxValue);
            if (result.IsSuccess)
            {
                _outputs.Deliver(item, result.Value, null);
            }
            else
            {
                _failedThisRun = true;
                _outputs.Deliver(item, entry.FailedOutput, JobRetry.Describe(result.Exception.Message, entry.Attempts), entry.Attempts);
            }
        }

        DeliverPendingBefore(long.MaxValue);
    }

    // Waits for the deliveries to end; true when Ctrl+C came while one of them was stuck in a write (stdout or stderr a
    // pipe nobody reads, a pager left on its first page, a terminal stopped with Ctrl+S). That write may never end, and
    // the interrupt must: the run is then left where it is. What the write did not finish is not journaled as written
    // (watermarks follow flushes), so --resume writes it again.
    private async Task<bool> DeliveredOrStuckAsync(Task deliveries, CancellationToken cancellationToken)
    {
        try
        {
            await deliveries.WaitAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: the deliveries normally end at once (the run stops, its results stream ends), and how they
            // ended is what counts (below).
        }

        while (!deliveries.IsCompleted && !_outputs.IsStuck(StuckWrite))
        {
            await Task.WhenAny(deliveries, Task.Delay(StuckWrite / 4, CancellationToken.None)).ConfigureAwait(false);
        }

        if (!deliveries.IsCompleted)
        {
            return true;
        }

        await deliveries.ConfigureAwait(false);
        return false;
    }

    private async Task<int> FinishAsync(RunReport? report, bool interrupted, CancellationToken cancellationToken)
    {
        if (interrupted && report is not null)
        {
            report = InterruptedReport(report, _counters);
        }

        Report = report;
        // A report or trace that cannot be written fails the run (exit 1), but only after the run has ended as a finished
        // one: before, the error was thrown here, so the journal of a complete run was kept, and the same command was then
        // refused as "a journal from an earlier, unfinished run" (review 50), with no summary said and an empty failures
        // file left behind.
        string? reportFailure = null;
        if (report is not null)
        {
            var writing = "";
            try
            {
                // Opened as the outputs are (RunFiles.OpenOutput): a FIFO waits a bounded time for its reader, where File.Create
                // opened it for reading and writing, so never waited, and a trace larger than the pipe's buffer then hung
                // the finished run for good (a smaller one vanished); /dev/stdout is brigade's stdout, not reopened.
                if (options.ReportPath is { } html)
                {
                    writing = $"--report '{html}'";
                    using var file = RunFiles.OpenOutput(html, "--report", 0, out _, stderr, cancellationToken);
                    using var writer = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    HtmlReport.Write(writer, [report], $"brigade run — {options.Work.Description}");
                }

                if (options.TracePath is { } trace)
                {
                    writing = $"--trace '{trace}'";
                    using var file = RunFiles.OpenOutput(trace, "--trace", 0, out _, stderr, cancellationToken);
                    ChromeTrace.Write(file, [report]);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Interrupted (before or during the wait for a FIFO's reader): the run's own end is still said below.
                await stderr.WriteLineAsync($"brigade: {writing} not written: interrupted while waiting for its reader").ConfigureAwait(false);
            }
            catch (Exception e) when (RunFiles.IsWriteError(e) || e is CliIOException)
            {
                var reason = e is CliIOException ? e.Message : $"cannot write {writing}: {RunFiles.Reason(e)}";
                reportFailure = $"brigade: {reason} (the run itself {(interrupted ? "was interrupted" : "finished")}: {_counters.Delivered:N0} items, {_counters.Failed:N0} failed)";
            }
        }

        TerminationSignal.AtForcedExit = null;
        var summary = $"brigade run: {_counters.Delivered:N0} {(_counters.Delivered == 1 ? "item" : "items")}, {_counters.Failed:N0} failed";
        if (interrupted)
        {
            // The stop's own line first (written off the signal's thread), then the summary.
            if (Volatile.Read(ref _stopNotice) is { } notice)
            {
                await Task.WhenAny(notice, Task.Delay(StuckWrite * 4, CancellationToken.None)).ConfigureAwait(false);
            }

            // Not held by a stderr nobody reads (2>&1 | less): the interrupt ends the run with or without its summary.
            var line = $"{(reportFailure is null ? "" : reportFailure + Environment.NewLine)}{summary}; interrupted.{ResumeHint()}";
            await Task.WhenAny(Task.Run(() => stderr.WriteLine(line), CancellationToken.None), Task.Delay(StuckWrite * 4, CancellationToken.None)).ConfigureAwait(false);
            return TerminationSignal.InterruptedExitCode;
        }

        if (_counters.CommonFailure() is { } common)
        {
            // The reason most failures share, so that a run whose every item failed the same way says why on its last line.
            summary += common.All ? $", all with \"{common.Reason}\"" : $", {common.Count:N0} of them with \"{common.Reason}\"";
        }

        if (_paths.Failures is { } f && _counters.Failed > 0)
        {
            summary += $" (see {f})";
        }

        if (_counters.Retried > 0)
        {
            summary += $", {_counters.Retried:N0} retried ({_counters.RetriedAttempts:N0} attempts)";
        }

        // Only a failure of this run stopped it: a resumed run counts the failures delivered before it too, and one that then
        // ran every remaining item said "stopped at the first failure" with a --resume hint, kept its journal, and so was
        // never complete (the same command refused, --resume repeating the run's end; review 39).
        if (options.FailFast && _failedThisRun)
        {
            // Otherwise "2 items, 1 failed" of a 20-line input said nothing of the 18 that never ran.
            var notRun = _counters.Total is { } total && total > _counters.Delivered ? $", {total - _counters.Delivered:N0} not run" : "";
            summary += $"; stopped at the first failure (--fail-fast){notRun}.{ResumeHint()}";
        }

        if (report is not null)
        {
            // The library's rule (RunReport.ShownWidth, as in its summary, HTML report and trace): the most workers that ran at
            // once when auto mode's last plan is narrower than its sample ran (review 40: "auto ×1"), and never more than the
            // items the engine had (3 commands on auto's 64, or -j 8, said "×64", a width no item ran at; review 43).
            summary += $"; {report.Engine} ×{report.ShownWidth}, {report.WallTime.TotalSeconds:0.00} s";
            if (_firstItemWait >= FirstItemWaitShown)
            {
                // The run's time starts with its first item: the wait for it is the input's, said apart.
                // A producer that gave only blank lines, or nothing, had no first item to wait for (run60).
                summary += _inputHeldNoItem
                    ? $" after {_firstItemWait.TotalSeconds:0.00} s waiting for the input, which held no item"
                    : $" after {_firstItemWait.TotalSeconds:0.00} s waiting for the input's first item";
            }
            if (report.Items == 0 && _counters.Delivered > _counters.ResumedFrom)
            {
                // Every item failed before it could run (malformed, or a field it does not have): the engine saw
                // none, and its plan ("the input was empty") would say the opposite of what happened.
                summary += "; no item reached the engine";
            }
            else if (report.Plan is { } plan)
            {
                summary += $"; plan: {plan}";
                if (options.Jobs is null && options.Work is ExecWork && report.Items > report.DegreeOfParallelism && plan.Contains(", capped at ", StringComparison.Ordinal))
                {
                    // Auto mode's own ceiling for commands, not the user's: say where it comes from and how to lift it (only when
                    // it held items back: 3 commands under a ceiling of 64 were not slowed by it).
                    summary += $" (auto mode's ceiling for commands: {EngineResources.CommandsPerCore} per core, within ulimit -n and -u; --jobs N raises it)";
                }
            }

            // Why not faster, on its own line, when it can say something a user can act on (ShowsWhyNotFaster).
            if (report.Losses is { } losses && ShowsWhyNotFaster(report.Items, report.DegreeOfParallelism, report.Failed, report.WallTime, losses.Gap, losses.Ideal))
            {
                var why = RunLossAdvice.ForResumed(losses.Summary, losses.Causes.FirstOrDefault(static c => c.Cause == LossCause.StartUp), losses.Width, _resumeSkipped, TimeSpan.FromTicks(_resumeSkipTicks));
                summary += $"{Environment.NewLine}brigade run: why not faster: {RunLossAdvice.ForRun(why, options.Work is ExecWork)}{OversizedNote(_oversized, _oversizedLine, TimeSpan.FromTicks(_oversizedTicks), report.WallTime, InputReader.RecordBytes)}";
            }
        }

        if (!options.Quiet)
        {
            await stderr.WriteLineAsync(summary).ConfigureAwait(false);
        }

        // A finished run needs no journal (the outputs are complete), only a record that it finished, for --resume; and an
        // empty failures file says nothing.
        // (A --fail-fast run with no failure ran everything: its journal was left behind, and the same command was then
        // refused as "a journal from an earlier, unfinished run".)
        // (A run stopped by --strict-input recorded itself as complete, its journal gone: --resume then said "already
        // complete" while the items after the malformed line never ran; review 22 R4.)
        if (_outputs.Journal is { } journal && _stoppedAt is null && (!options.FailFast || !_failedThisRun))
        {
            CompletionRecord.Write(journal.Path, _header, _outputs.FinalMark(), _counters.Failed);
            RunFiles.DeleteQuietly(journal.Path);
        }

        if (_paths.Failures is { } failuresPath && _counters.Failed == 0 && NativeMethods.KindOf(failuresPath) == FileKind.Regular && new FileInfo(failuresPath).Length == 0)
        {
            RunFiles.DeleteQuietly(failuresPath);
        }

        if (reportFailure is not null)
        {
            // Said last, after the summary, so that it is the line a user reads; the run's outputs are complete.
            await stderr.WriteLineAsync(reportFailure).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        return _counters.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    // Reads the input in order, leaves out what an interrupted run already delivered or journaled, and hands the
    // rest to the work; an item that cannot run becomes a pending failure in its place.
    private async IAsyncEnumerable<PreparedItem> Prepare(IAsyncEnumerable<InputItem> items, ResumeState? resume, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long position = 0;
        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        var started = asked;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.Oversized)
            {
                // From the moment the next item was asked for: reading the record through is most of that.
                _oversizedTicks += System.Diagnostics.Stopwatch.GetElapsedTime(asked).Ticks;
                _oversizedLine = _oversized++ == 0 ? item.Line : _oversizedLine;
            }

            asked = System.Diagnostics.Stopwatch.GetTimestamp();
            if (resume is not null && (resume.IsDelivered(item.Index) || resume.Pending.ContainsKey(item.Index)))
            {
                if (position == 0)
                {
                    _resumeSkipped++;
                }

                continue;
            }

            // A record over the limit is not malformed (its CSV or JSON may be fine): it is input brigade does not run, which
            // --strict-input stops at all the same (run52: it said "malformed input" of a well-formed 20 MB line).
            string? error = item.Malformed is null ? null : item.Oversized ? $"input record too long: {item.Malformed}" : item.CutShort ? $"input cut short: {item.Malformed}" : $"malformed input: {item.Malformed}";
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
                    _failedThisRun |= options.FailFast;
                    _stoppedAt = $"line {item.Line}: {error}{(options.FailFast ? " (--fail-fast)" : " (--strict-input)")}";
                    yield break;
                }

                continue;
            }

            var entry = new PreparedItem(item, value!);
            lock (_gate)
            {
                _inFlight[position] = entry;
            }

            if (position == 0 && _resumeSkipped > 0)
            {
                _resumeSkipTicks = System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
            }

            position++;
            yield return entry;
            asked = System.Diagnostics.Stopwatch.GetTimestamp();
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
            // A failure journaled with its command's output (an item that failed behind a slow one) delivers both.
            _outputs.Deliver(item, record.Error is null ? record.Output ?? [] : record.Output, record.Error, record.Attempts ?? 1);
        }
    }

    private async Task<Stream> OpenInputAsync(CancellationToken cancellationToken)
    {
        // stdin and named pipes may wait for their producer for good (tail -f): their reads end on Ctrl+C.
        if (options.Input == "-")
        {
            return new AbandonableReadStream(Console.OpenStandardInput());
        }

        if (NativeMethods.KindOf(options.Input) == FileKind.Regular)
        {
            return Open();
        }

        // A FIFO's open waits in the kernel for its writer, deaf to signals: waiting is right (as cat does), for as long as it
        // takes, but on another thread, so that Ctrl+C and SIGTERM end the wait (review 42: it hung for good), and said.
        var opening = Task.Run(Open, CancellationToken.None);
        var said = false;
        while (true)
        {
            try
            {
                var file = await opening.WaitAsync(said ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                return new AbandonableReadStream(file);
            }
            catch (TimeoutException)
            {
                said = true;
                if (!options.Quiet)
                {
                    await stderr.WriteLineAsync($"brigade run: the input '{options.Input}' is a FIFO that no process writes yet: waiting for its writer (Ctrl+C stops)").ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The open may still succeed once a writer comes: nothing reads it then.
                _ = opening.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                throw;
            }
        }

        Stream Open()
        {
            try
            {
                return new FileStream(options.Input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliIOException($"cannot read the input '{options.Input}': {RunFiles.Reason(e)}", e);
            }
        }
    }

    // On the watermark timer: a watermark that cannot be written stops the run (cancelling runs the engine's callbacks,
    // so outside the outputs' lock).
    private void MarkOnTimer()
    {
        if (!_outputs.MarkOnTimer())
        {
            _stop?.Cancel();
        }
    }

    // The input after its first item, for the run. A read waiting for the producer (stdin: tail -f) ends when the run's
    // token trips, so the run's stop does not wait for the producer's next line; that token, not the command's, so that
    // the run has stopped and sees the read's cancellation as its own, not as the input failing.
    // At the input's end the progress total becomes the items read: the count taken before the run is wrong for a file
    // that shrank (or grew) meanwhile, and the last progress line said "16/20 done (80.0%)" of a run that ran all 16 (run56).
    private static async IAsyncEnumerable<InputItem> Rest(InputItem? first, InputItems items, RunCounters counters, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (first is null || !items.HandOver())
        {
            yield break;
        }

        using var stop = cancellationToken.UnsafeRegister(static s => ((InputItems)s!).StopReading(), items);
        try
        {
            var read = first.Index + 1;
            yield return first;
            while (await items.Reader.MoveNextAsync().ConfigureAwait(false))
            {
                read = items.Reader.Current.Index + 1;
                yield return items.Reader.Current;
            }

            counters.Total = read;
        }
        finally
        {
            // Only once no read is pending on it (the engine disposes this enumerator after its last move ends): an
            // iterator disposed during a move throws NotSupportedException.
            await items.Reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The input's items: disposed by the run (Rest) once it has taken them over, else here.
    private sealed class InputItems : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stopReading = new();
        private int _handedOver;

        public InputItems(IAsyncEnumerable<InputItem> items) => Reader = items.GetAsyncEnumerator(_stopReading.Token);

        public IAsyncEnumerator<InputItem> Reader { get; }

        public void StopReading() => _stopReading.Cancel();

        public bool HandOver() => Interlocked.Exchange(ref _handedOver, 1) == 0;

        public ValueTask DisposeAsync() => HandOver() ? Reader.DisposeAsync() : ValueTask.CompletedTask;
    }

    // A wait for the first item shorter than this is a fast pipe's first read (with brigade's own JIT work at load), not
    // worth a word.
    private static readonly TimeSpan FirstItemWaitShown = TimeSpan.FromMilliseconds(500);

    // A write that holds the outputs this long is stuck (see DeliveredOrStuckAsync); a healthy one takes microseconds.
    private static readonly TimeSpan StuckWrite = TimeSpan.FromMilliseconds(250);

    private static string Name(InputFormat format) => format switch
    {
        InputFormat.JsonLines => "jsonlines",
        InputFormat.Csv => "csv",
        _ => "lines",
    };

    // How many of the items an interrupted run delivered had failed, their reasons counted for the summary (run59: a
    // resumed run named a reason by its own failures alone, "5 failed, 2 of them with ...", and with failures on stderr
    // did not count the earlier ones at all: "6 items, 2 failed", or exit 0). The count is the journal's last watermark's;
    // the reasons are the failures file's lines when resume cut it back to that watermark (every failure, whatever the
    // order), else the failures the journal holds (an ordered run's). A journal from before run59 has no count: the
    // failures file's lines, as then.
    private long EarlierFailures(ResumeState resume)
    {
        var file = _paths.Failures is { } f && NativeMethods.KindOf(f) == FileKind.Regular ? f : null;
        (long Count, FailureReasons Reasons)? fromFile = file is not null && RunFiles.CutsBack(file) ? ReadFailures(file) : null;
        _counters.OnEarlierFailures(fromFile?.Reasons ?? resume.DeliveredFailureReasons);
        return resume.DeliveredFailed ?? fromFile?.Count ?? (file is null ? 0 : ReadFailures(file).Count);
    }

    // The failures file's lines and their errors' reasons.
    private static (long Count, FailureReasons Reasons) ReadFailures(string path)
    {
        long lines = 0;
        var reasons = new FailureReasons();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        while (reader.ReadLine() is { } line)
        {
            lines++;
            try
            {
                if (JsonSerializer.Deserialize(line, RunJsonContext.Default.FailureRecord) is { Error: { } error })
                {
                    reasons.Add(error);
                }
            }
            catch (JsonException)
            {
                // Not a failure line brigade wrote (edited by hand): counted, its reason unknown.
            }
        }

        return (lines, reasons);
    }

    // The input line of the item at this position of the engine's input (still in flight), or null.
    private long? LineOf(long position)
    {
        lock (_gate)
        {
            return _inFlight.TryGetValue(position, out var entry) ? entry.Item.Line : null;
        }
    }

    private sealed class RunningProgress(RunCounters counters, Func<long, long?> lineOf) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            // With the items it had finished then: the results delivered since are no longer running (review 72).
            counters.SetRunning(value.Running, value.Completed);
            counters.SetStall(value.OrderedWaitItem is { } position && lineOf(position) is { } line
                ? new OrderedStall(line, value.OrderedWaitTime, value.OrderedHeld)
                : null);
        }
    }

    /// <summary>
    /// What the "why not faster" line adds when reading records over the limit (read through, failed unrun) took a tenth of
    /// the run or more: that time is the input's, but the workers waited for records that did no work, so "make the input
    /// faster" is not the advice (run52: a 1 GB line read in 3 s made a run of short commands "the input is slower than
    /// the work").
    /// </summary>
    /// <remarks>The limit is the one the records were read with (before run54 the note said 16 MiB whatever it was).</remarks>
    internal static string OversizedNote(long records, long firstLine, TimeSpan reading, TimeSpan wall, long limit = InputReader.WorkRecordBytes) =>
        records == 0 || reading < wall * 0.10 ? ""
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({reading.TotalSeconds:0.0} s of the run went to reading {(records == 1 ? $"the record at line {firstLine}" : $"{records:N0} records (the first at line {firstLine})")} over the {(limit % (1L << 20) == 0 ? $"{limit >> 20} MiB" : $"{limit:N0}-byte")} limit, which did no work: put big items in files and pass their paths)");

    /// <summary>Whether a run's summary gets a "why not faster" line: when it lost a tenth of its ideal and was long enough
    /// to matter; not when it had fewer items than workers (2 items on auto's 32: the idle workers counted as lost, and
    /// the line advised fewer workers for a run of two commands); not for a single item (review 50: every one-item run
    /// with `-o` was told "workers started late: check for a slow input", brigade's own start-up, which no width or input
    /// changes); nor when every item failed (a mistyped command: advice on the speed of a run that did nothing useful).</summary>
    internal static bool ShowsWhyNotFaster(long items, int degreeOfParallelism, long failed, TimeSpan wall, TimeSpan gap, TimeSpan ideal) =>
        items > 1 && HasItemsForEveryWorker(items, degreeOfParallelism) && failed < items && wall >= TimeSpan.FromMilliseconds(100) && gap >= ideal * 0.10;

    /// <summary>Whether a run had an item for each of its workers: with fewer, the workers that never had one count as lost
    /// (imbalance), and the advice would be "use fewer workers" for a run that had too few items to use them. Run's summary
    /// gives such a run no "why not faster" line (<see cref="ShowsWhyNotFaster"/>), nor does the demo's scene conclusion
    /// (review 70: the demo's 16 sleeps on auto's 64 lanes read "imbalance 91% ... use fewer workers").</summary>
    internal static bool HasItemsForEveryWorker(long items, int degreeOfParallelism) => items >= degreeOfParallelism;
}
