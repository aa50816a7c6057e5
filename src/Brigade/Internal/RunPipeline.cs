using System.Diagnostics;
using Brigade.Diagnostics;
using Brigade.Engines;
using Brigade.Sinks;
using Brigade.Sources;

namespace Brigade.Internal;

/// <summary>What every run does around its engine: snapshot options, time, telemetry, the report, and the final verdict.</summary>
internal static class RunPipeline
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the run's end waits for the progress callback: for a call still running, then for the final call.</summary>
    internal static readonly TimeSpan ProgressEndBound = TimeSpan.FromSeconds(2);

    public static Task<(RunReport Report, long ItemsRead)> RunAsync<TIn, TOut>(
        ItemSource<TIn> source,
        WorkFunction<TIn, TOut> work,
        ResultSink<TOut> sink,
        RunOptions? options,
        Action<EngineJob<TIn, TOut>>? onStarted,
        CancellationToken cancellationToken) =>
        RunAsync(source, work, sink, options, onStarted, reportErrors: false, partialResult: null, cancellationToken);

    // reportErrors: whether an error that stopped the run (the engine's, not the input's nor cancellation) is thrown inside
    // a RunFailedException with the report (MapAsync, ForEachAsync, MapReduceAsync: the caller has no other way to the
    // report), rather than as it is (a stream, whose reader has RunStream.Report).
    // partialResult: builds what the run computed (MapAsync's RunResult, MapReduceAsync's ReduceResult) from the report and
    // the items read, for the PartialResult of the exception that ends the run (lib61: a map whose source threw midway lost
    // its computed values; only a stream's reader had them). Called once the sink is complete, and only when throwing.
    public static async Task<(RunReport Report, long ItemsRead)> RunAsync<TIn, TOut>(
        ItemSource<TIn> source,
        WorkFunction<TIn, TOut> work,
        ResultSink<TOut> sink,
        RunOptions? options,
        Action<EngineJob<TIn, TOut>>? onStarted,
        bool reportErrors,
        Func<RunReport, long, object?>? partialResult,
        CancellationToken cancellationToken)
    {
        options = options?.Clone() ?? new RunOptions();
        var engine = options.Engine ?? Engine.Default;
        if ((options.ItemTimeout is not null || options.ItemRetry is not null) && (engine.Capabilities & (EngineCapabilities.InProcess | EngineCapabilities.ItemTimeoutAndRetry)) == 0)
        {
            throw new NotSupportedException(
                $"RunOptions.ItemTimeout and RunOptions.ItemRetry need an engine that applies them to its items; the '{engine.Name}' engine does not support them (it lacks EngineCapabilities.ItemTimeoutAndRetry).");
        }

        var clock = new RunClock(options.TimeProvider);
        var recorder = new RunRecorder(clock, options.CollectTimeline, options.MaxTimelineEvents);
        var width = engine.ResolveDegreeOfParallelism(options.MaxDegreeOfParallelism, source.Count);
        var job = new EngineJob<TIn, TOut>(engine, source, work, sink, options, width, recorder, cancellationToken);

        // Happens-before for the race detector (an item's start follows the run's start, the run's end follows every
        // item): begun on the starting flow; null, after one static read, when no detector is active.
        var race = RaceHook.Begin();

        using var activity = Telemetry.Source.StartActivity(BrigadeTelemetry.RunActivity, ActivityKind.Internal);
        activity?.SetTag(BrigadeTelemetry.EngineTag, engine.Name);
        activity?.SetTag("brigade.label", options.Label);
        activity?.SetTag("brigade.width", width);
        Telemetry.ActiveRuns.Add(1);

        var cpuAtStart = Environment.CpuUsage.TotalTime;
        var countersAtStart = LossProbe.Read();
        clock.Start();
        onStarted?.Invoke(job);
        // One call at a time (review 40): the timer fires every interval whether the last call returned or not, so a slow
        // callback was called again beside itself (three at once for a 1.5 s one), which a handler that is not thread-safe
        // does not expect. A tick only stores its snapshot; the calls run off the run's threads (lib61), see ProgressCalls.
        var progressCalls = options.Progress is { } progress ? new ProgressCalls(progress) : null;
        using var progressTimer = progressCalls is not null
            ? clock.TimeProvider.CreateTimer(_ => progressCalls.Tick(() => Snapshot(job, clock)), null, ProgressInterval, ProgressInterval)
            : null;

        using var watchdog = options.ProgressWatchdog is { } watchdogOptions ? ProgressWatchdog.Start(watchdogOptions) : null;
        job.UseHooks(BatchHooks.Create(race, watchdog is null ? null : new WatchdogHook(watchdog)));

        Exception? engineError = null;
        try
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                await engine.ExecuteAsync(job).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            engineError = e;
        }
        finally
        {
            Telemetry.ActiveRuns.Add(-1);
            race?.Complete();
        }

        if (engineError is null && job.Fatal is null && !cancellationToken.IsCancellationRequested)
        {
            sink.OnWorkersDone(cancellationToken);
        }

        // The input's own disposal (an IAsyncEnumerator's DisposeAsync, an IEnumerator's Dispose) can throw after every item
        // ran (review 31 F4): that escaped here, before the report was built and the sink completed, so a finished run's
        // results were lost to a raw exception (and a stream's reader was never told the run ended). It is the input
        // failing: the report is built, the sink completed, and SourceFailedException thrown with the report, unless the
        // run failed otherwise first. On a run cancelled through its token the cancellation wins (review 32): a disposal that
        // throws there is most often the producer seeing that same cancel (a finally that awaits with the token), and the
        // caller that cancelled expects RunCanceledException with the report, as if the disposal had not thrown.
        Exception? disposeError = null;
        try
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            disposeError = e;
        }

        // Measured after the input's disposal (lib64): a producer whose MoveNextAsync ignores the token holds the run's end
        // for ItemPolicy.AbandonGrace there, and a report taken before it said 0.88 s for a call of 2.07 s. The wall time
        // is what the call took, as it is for an IEnumerable whose blocked MoveNext is waited for inside the engine.
        var end = clock.Now();
        var cpu = Environment.CpuUsage.TotalTime - cpuAtStart;
        var counters = LossProbe.Read().Since(countersAtStart, recorder.LockWaitTicks(), job.InputWaitTicks);
        if (job.InputEndedTimestamp is var inputEnded and > 0 && clock.TimeProvider == TimeProvider.System)
        {
            // Stopwatch timestamps, as the system time provider's (a fake clock's run has no such time to compare).
            counters = counters with { InputEndedAt = clock.SinceStart(inputEnded) };
        }

        if (progressTimer is not null)
        {
            // Not DisposeAsync: it waits for a call still running, and a callback that blocks held the run's results for
            // good (lib48). A tick already queued finds the calls ended and makes none.
            progressTimer.Dispose();
            await progressCalls!.EndAsync(Snapshot(job, clock), ProgressEndBound).ConfigureAwait(false);
        }

        // Read once: the report, the verdict and the disposal's fate must agree on whether the run was cancelled.
        var cancelled = cancellationToken.IsCancellationRequested;
        var itemsRead = source.Taken;
        var disposeFailed = engineError is null && job.Fatal is null && disposeError is not null && !cancelled;
        if (disposeError is not null && !disposeFailed && activity is not null)
        {
            // Not the verdict (the run failed otherwise first, or was cancelled), but not silently gone either.
            ExceptionText.AddTo(activity, disposeError);
        }

        var fatal = engineError is not null ? System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(engineError)
            : job.Fatal ?? (disposeFailed ? System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(disposeError!) : null);
        // An engine that stopped on the caller's own cancel with OperationCanceledException was cancelled, not stopped by an error.
        var stoppedByCancel = cancelled && fatal?.SourceException is OperationCanceledException;
        var report = BuildReport(job, recorder, clock, end, cpu, counters, itemsRead, cancelled, stoppedByCancel ? null : fatal?.SourceException, progressCalls, source.LeftBehind, source.LeftBehindBrief);
        job.FinalReport = report;
        RecordOutcome(activity, engine, report, fatal?.SourceException, cancelled);

        await sink.CompleteAsync(fatal?.SourceException, job.AbortToken).ConfigureAwait(false);
        job.DisposeTokens();

        if (fatal is not null)
        {
            if ((job.FatalFromSource && engineError is null) || disposeFailed)
            {
                throw new SourceFailedException(itemsRead, report, fatal.SourceException) { PartialResult = Partial(partialResult, report, itemsRead) };
            }

            // Review 45: the engine's error alone (worker processes that could not start, an engine disposed mid-run) lost
            // the report, so the caller did not know which items had succeeded. It is now the inner exception of a
            // RunFailedException that carries the report. A call that was wrong from the start (a delegate given to an
            // engine that runs only work types, a work type that cannot cross a process boundary: nothing ran) keeps its
            // ArgumentException or NotSupportedException, and out of memory is not wrapped (wrapping allocates).
            // lib63: an engine already disposed when the run began (a user's bug: a run after the engine's using block) keeps
            // the ObjectDisposedException .NET users expect, naming the engine, rather than a RunFailedException: nothing
            // was read, so no result is lost. One disposed mid-run, after items were read, still carries the report.
            var disposedBeforeStart = fatal.SourceException is ObjectDisposedException && itemsRead == 0;
            if (reportErrors && !stoppedByCancel && !disposedBeforeStart && fatal.SourceException is not (ArgumentException or NotSupportedException or OutOfMemoryException))
            {
                throw new RunFailedException(report) { PartialResult = Partial(partialResult, report, itemsRead) };
            }

            fatal.Throw();
        }

        if (cancelled)
        {
            throw new RunCanceledException(report, cancellationToken) { PartialResult = Partial(partialResult, report, itemsRead) };
        }

        return (report, itemsRead);
    }

    // What the run computed, for the exception that ends it; a builder that fails leaves it out rather than replace the
    // exception that says why the run ended.
    private static object? Partial(Func<RunReport, long, object?>? partialResult, RunReport report, long itemsRead)
    {
        try
        {
            return partialResult?.Invoke(report, itemsRead);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Activity.Current?.AddEvent(new ActivityEvent("brigade.partial_result.failed", tags: new ActivityTagsCollection { ["exception.message"] = e.Message }));
            return null;
        }
    }

    // The run's duration and span, with the semantic conventions' error.type when the run did not deliver every item:
    // the exception that ended it, else cancellation, else the first failed item's exception.
    private static void RecordOutcome(Activity? activity, Engine engine, RunReport report, Exception? fatal, bool cancelled)
    {
        var (errorType, description) =
            fatal is not null ? (fatal.GetType().FullName, ExceptionText.Message(fatal))
            : cancelled ? (typeof(OperationCanceledException).FullName, "cancelled")
            : report.Failed > 0 || report.NotRun > 0 ? (
                report.Failures.Count > 0 ? report.Failures[0].Exception.GetType().FullName : typeof(RunFailedException).FullName,
                $"{report.Failed} of {report.Items} items failed" + (report.NotRun > 0 ? $", {report.NotRun} not run" : ""))
            : (null, null);

        var tags = new TagList { { BrigadeTelemetry.EngineTag, engine.Name } };
        if (errorType is not null)
        {
            tags.Add(BrigadeTelemetry.ErrorTypeTag, errorType);
        }

        Telemetry.RunDuration.Record(report.WallTime.TotalSeconds, tags);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("brigade.items", report.Items);
        activity.SetTag("brigade.failed", report.Failed);
        if (errorType is not null)
        {
            activity.SetTag(BrigadeTelemetry.ErrorTypeTag, errorType);
            activity.SetStatus(ActivityStatusCode.Error, description);
            if (fatal is not null)
            {
                ExceptionText.AddTo(activity, fatal);
            }
        }
    }

    private static RunProgress Snapshot<TIn, TOut>(EngineJob<TIn, TOut> job, RunClock clock)
    {
        var completed = job.Completed;
        var running = Math.Max(0, job.ItemsTaken - completed - job.NotRunCount);
        var progress = new RunProgress(completed, job.FailedCount, running, job.ItemCount, clock.SinceStart(clock.Now()));
        return job.Sink.Waiting is { } wait ? progress with { OrderedWaitItem = wait.Index, OrderedWaitTime = wait.Waited, OrderedHeld = wait.Held } : progress;
    }

    private static RunReport BuildReport<TIn, TOut>(EngineJob<TIn, TOut> job, RunRecorder recorder, RunClock clock, long end, TimeSpan cpu, LossProbe counters, long itemsRead, bool cancelled, Exception? error, ProgressCalls? progress, string? inputLeftBehind, string? inputLeftBehindBrief)
    {
        var workers = recorder.Workers();
        var workerReports = workers.Select(w => w.ToReport()).ToArray();
        // Read once: a wait still open grows between two reads, and the item and its time must come from one.
        var longestWait = job.Sink.LongestWait;
        var busy = TimeSpan.Zero;
        TimeSpan? workerCpu = TimeSpan.Zero;
        long batches = 0;
        // The CPU time the items reported using outside the process's threads (ExternalCpuTime: the child processes they
        // waited for, brigade run's commands) is the run's too: the process's own clock does not count its children's.
        var external = TimeSpan.Zero;
        foreach (var w in workerReports)
        {
            external += w.Timing?.ExternalCpu ?? TimeSpan.Zero;
            busy += w.BusyTime;
            batches += w.Batches;
            workerCpu = w.CpuTime is { } c && workerCpu is { } acc ? acc + c : (w.Batches == 0 ? workerCpu : null);
        }

        var failures = job.SnapshotFailures();
        var unread = job.ItemCount is { } total ? Math.Max(0, total - itemsRead) : 0;
        var succeeded = job.Completed - failures.Count;
        var notRun = job.NotRunCount + unread;

        // An engine that failed may hold items it had taken but not run nor handed back (a batch in a loop that threw):
        // they did not run, and Items = Succeeded + Failed + NotRun must still hold.
        if (error is not null)
        {
            notRun = Math.Max(notRun, itemsRead + unread - succeeded - failures.Count);
        }

        return new RunReport
        {
            Label = job.Options.Label,
            Engine = job.Engine.Name,
            Plan = job.Plan,
            Plans = job.AutoPlans ?? [],
            LostSilos = job.LostSilos,
            DegreeOfParallelism = job.DegreeOfParallelism,
            BatchSize = job.Options.BatchSize,
            Items = itemsRead + unread,
            Succeeded = succeeded,
            Failed = failures.Count,
            NotRun = notRun,
            Error = error,
            Cancelled = cancelled,
            StoppedOnFailure = job.StoppedOnFailure,
            StartedAt = clock.StartedAt,
            WallTime = clock.SinceStart(end),
            ProcessCpuTime = cpu + external,
            WorkerCpuTime = batches > 0 ? workerCpu : null,
            BusyTime = busy,
            Batches = batches,
            Workers = workerReports,
            Timeline = RunRecorder.MergeTimeline(workers),
            TimelineTruncated = recorder.TimelineTruncated,
            Failures = failures,
            AbandonedItems = Engines.ItemAbandonedException.CountIn(failures),
            StoppedItems = job.StoppedInFlight,
            Counters = counters,
            LongestOrderedWait = longestWait?.Waited ?? TimeSpan.Zero,
            LongestOrderedWaitItem = longestWait?.Index,
            ProgressError = progress?.Error,
            ProgressFailures = progress?.Failures ?? 0,
            InputLeftBehind = inputLeftBehind,
            InputLeftBehindBrief = inputLeftBehindBrief,
        };
    }
}
