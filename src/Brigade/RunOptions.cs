namespace Brigade;

/// <summary>How a run executes: the engine, its width and batch size, and what to do on failure.</summary>
/// <remarks>
/// Values are validated when set. A run takes a snapshot of the options when it starts, so changing an
/// instance afterwards does not affect runs already under way.
/// </remarks>
public sealed class RunOptions
{
    private int? _maxDegreeOfParallelism;
    private int? _batchSize;
    private int _maxTimelineEvents = 100_000;
    private int _streamCapacity = 1024;
    private TimeProvider _timeProvider = TimeProvider.System;
    private TimeSpan? _itemTimeout;

    /// <summary>Gets or sets the engine that runs the items.</summary>
    /// <value>Defaults to <see langword="null"/>, which means <see cref="Brigade.Engine.Default"/>.</value>
    public Engine? Engine { get; set; }

    /// <summary>Gets or sets the largest number of items that run at the same time.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: the engine decides (auto mode plans it from measurements;
    /// <see cref="Environment.ProcessorCount"/> for
    /// <see cref="Brigade.Engine.ThreadPool"/>, 64 for <see cref="Brigade.Engine.Threads"/>, 256 for
    /// <see cref="Brigade.Engine.Async"/>, 1 for <see cref="Brigade.Engine.Sequential"/>), never more than the
    /// number of items when that is known.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"RunOptions.MaxDegreeOfParallelism must be at least 1 (got {value}); null means the engine's default.");
            }

            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Gets or sets how many consecutive items a worker takes at a time.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: adaptive. Each worker starts with one item and doubles its batch while
    /// a batch takes less than the engine's target batch duration, halves it when a batch takes more than twice
    /// that, and never takes more than a quarter of its share of the remaining items when the count is known.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? BatchSize
    {
        get => _batchSize;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"RunOptions.BatchSize must be at least 1 (got {value}); null means adaptive.");
            }

            _batchSize = value;
        }
    }

    /// <summary>Gets or sets what the run does when an item's work throws.</summary>
    /// <value>Defaults to <see cref="FailureMode.Continue"/>: every item runs and every failure is reported.</value>
    /// <remarks>
    /// <para><b>Who may stop waiting for a running item.</b> Only the caller. When the token given to the call is cancelled
    /// (a cancel, the caller's own timeout), an asynchronous item that ignores its token and is still running one second
    /// later is abandoned: it fails by index with a <see cref="TimeoutException"/>, its task left to run on its own, and the
    /// call throws <see cref="RunCanceledException"/>. An input whose <c>MoveNext</c> still blocks a second after the
    /// cancel is left there too (the message says so). When a stream's reader leaves (<c>break</c> out of
    /// <c>await foreach</c>, an exception in its loop), nobody reads the results any more: the same one second bounds
    /// the stream's disposal.</para>
    /// <para>The run's own stops abandon nothing: under <see cref="FailureMode.StopOnFirstFailure"/> (and when an engine
    /// fails) the items' token is cancelled and the run waits for the items that are running, however long they take, so
    /// that each finishes and keeps its result; an item that never ends then holds the call until the caller cancels.
    /// Synchronous work is never abandoned (it has no token; a thread cannot be taken back from it).
    /// <see cref="ItemTimeout"/> has its own second of grace, whatever stopped the run.</para>
    /// </remarks>
    public FailureMode FailureMode { get; set; } = FailureMode.Continue;

    /// <summary>Gets or sets a name for the run, shown in its report, trace and telemetry.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Label { get; set; }

    /// <summary>
    /// Gets or sets what tells apart, in auto mode's plan cache, runs of one delegate that do different work: <c>brigade
    /// run</c>'s commands all run through one delegate. Not the <see cref="Label"/>: a service labelling each run by its
    /// request (<c>order 42</c>) made every run a new entry, rewriting the cache file and evicting the real plans.
    /// </summary>
    internal string? PlanKey { get; set; }

    /// <summary>Gets or sets whether the run records a timeline of which worker ran which batch, and when.</summary>
    /// <value>Defaults to <see langword="true"/>; the cost is one entry per batch, not per item.</value>
    public bool CollectTimeline { get; set; } = true;

    /// <summary>Gets or sets the most timeline events a run keeps; later batches are counted but not recorded.</summary>
    /// <value>Defaults to 100,000, which bounds the memory of endless runs.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxTimelineEvents
    {
        get => _maxTimelineEvents;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"RunOptions.MaxTimelineEvents must be at least 0 (got {value}).");
            }

            _maxTimelineEvents = value;
        }
    }

    /// <summary>Gets or sets how many finished results a stream buffers before workers wait for the reader (while the reader
    /// is caught up, <see cref="AllowSynchronousContinuations"/> hands results to it without this buffer).</summary>
    /// <value>Defaults to 1,024.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int StreamCapacity
    {
        get => _streamCapacity;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"RunOptions.StreamCapacity must be at least 1 (got {value}).");
            }

            _streamCapacity = value;
        }
    }

    /// <summary>Gets or sets whether <c>Runner.StreamAsync</c> yields results in input order instead of as they finish.</summary>
    /// <value>
    /// Defaults to <see langword="false"/>. When <see langword="true"/>, a result that finishes ahead of an earlier item
    /// waits for it; once <see cref="StreamCapacity"/> results wait, workers with more results that are not the oldest
    /// undelivered item wait too (the one that is never does), so memory stays bounded even over an endless input.
    /// A worker that waited while the oldest item did not move at all is let through after 1 s (then 2 s, 4 s, ... up
    /// to 30 s while it stays stuck), so no engine can stall the stream. Items that never ran (after cancellation or a
    /// stop) are skipped.
    /// </value>
    public bool PreserveOrder { get; set; }

    /// <summary>
    /// Gets or sets whether <c>Runner.StreamAsync</c> may run the reader's loop on the worker that delivers a result,
    /// instead of waking another thread for each result.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="false"/>. When <see langword="true"/> and the reader is waiting for the next result,
    /// the worker that delivers it continues the reader's loop itself until the loop waits again (as
    /// <c>System.Threading.Channels</c>' option of the same name): no thread hop per result, which is most of the cost
    /// of streaming many short items; likewise a worker waiting for room in the stream may go on on the reader's thread
    /// when the reader takes a result. The loop's body then runs on a worker, inside the stream's delivery (in order,
    /// one result at a time, as before), and while it runs <b>every</b> worker's delivery waits for it, not only the
    /// next one's: a reader that is caught up no longer has <see cref="StreamCapacity"/> results buffered ahead of it,
    /// so a body that pauses now and then pauses all the workers (a reader pausing 20 ms every 50 results of 4 workers:
    /// 1.2 s without the option, 2.0 s with it in input order, 1.4 s as they finish). Use it for readers whose body is
    /// short and steady (writing a line, adding to a total); the body must never wait synchronously for something only a
    /// later item does. Leaving the loop from the body (<c>break</c>, an exception such as a write to a closed pipe) is
    /// safe: the run stops there, and the items still running end as not run.
    /// </value>
    public bool AllowSynchronousContinuations { get; set; }

    /// <summary>Gets or sets the clock that timestamps the report and timeline, and times items' timeouts and retry delays.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets a callback that receives the run's progress about ten times a second, and once at the end.</summary>
    /// <value>Defaults to <see langword="null"/>: no progress reporting.</value>
    /// <remarks>The callback never runs on the run's threads, and is called one call at a time: a plain
    /// <see cref="IProgress{T}"/> on a background thread of the run's own, a <see cref="Progress{T}"/> posted to again only
    /// once its handler has run (so slow handlers do not pile up on the thread pool the items run on); while a call runs,
    /// the latest snapshot wins. The run's end hands over the final snapshot and waits for its call (for a
    /// <see cref="Progress{T}"/>, its handler), 2 s at most in all: a callback still running then is left running, the final
    /// call is not made or not waited for, and the run returns its results (<see cref="RunReport.ProgressError"/> says so). A callback that throws does not stop the run:
    /// its first exception is on <see cref="RunReport.ProgressError"/> and in the report's summary. So a callback should
    /// return quickly (<see cref="Progress{T}"/> posts to the captured context or the thread pool and returns at once).</remarks>
    public IProgress<RunProgress>? Progress { get; set; }

    /// <summary>Gets or sets a progress watchdog for the run's workers: a worker whose batch makes no progress past the
    /// threshold is reported as livelocked (busy), hung (blocked) or starved (others progress); items can mark progress
    /// with <see cref="Diagnostics.ProgressWatchdog.Mark(string?)"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: not watched (no cost).</value>
    public Diagnostics.ProgressWatchdogOptions? ProgressWatchdog { get; set; }

    /// <summary>Gets or sets how long one attempt at an item may take; an attempt past it fails with Polly's <c>TimeoutRejectedException</c>.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: no limit (no cost). Asynchronous work is cancelled through its token at the
    /// limit, and an attempt that ignores it and is still running one second later is abandoned (its item fails; its task
    /// is left to run on its own); synchronous work has no token, so it runs to its end and its late result is discarded
    /// (the attempt fails).
    /// With <see cref="ItemRetry"/>, the limit is per attempt, and a timed-out attempt is tried again. Every engine of
    /// Brigade applies it (worker processes and the cluster where they run the items; worker processes also kill a worker
    /// whose item ignores it, and have their own hard limit on the whole item, <c>ProcessEngineOptions.ItemTimeout</c>);
    /// an engine without <see cref="EngineCapabilities.InProcess"/> or <see cref="EngineCapabilities.ItemTimeoutAndRetry"/> rejects it.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or more than one day (<see cref="Timeout.InfiniteTimeSpan"/>
    /// is accepted and means no limit: the property is then <see langword="null"/>).</exception>
    public TimeSpan? ItemTimeout
    {
        get => _itemTimeout;
        set
        {
            if (value == Timeout.InfiniteTimeSpan)
            {
                // The framework's spelling of "no limit" means what null means here.
                _itemTimeout = null;
                return;
            }

            if (value is { } timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"RunOptions.ItemTimeout must be more than zero and at most one day (got {timeout}); use null (or Timeout.InfiniteTimeSpan) for no limit.");
            }

            _itemTimeout = value;
        }
    }

    /// <summary>Gets or sets how failed items are tried again, with backoff and jitter.</summary>
    /// <value>Defaults to <see langword="null"/>: a failed item is reported at once (no cost). See <see cref="ItemRetryOptions"/>.</value>
    public ItemRetryOptions? ItemRetry { get; set; }

    /// <summary>Returns a copy, so that a run is not affected by later changes to this instance.</summary>
    /// <returns>A shallow copy of the options.</returns>
    public RunOptions Clone() => (RunOptions)MemberwiseClone();
}
