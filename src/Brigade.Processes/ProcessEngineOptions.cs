using Brigade.Engines.Remote;
using Brigade.Processes.Internal;

namespace Brigade.Processes;

/// <summary>How a <see cref="ProcessEngine"/> starts, sizes, guards and recycles its worker processes.</summary>
/// <remarks>Values are validated when set. The engine takes a copy when it is created, so later changes to this
/// instance do not affect it.</remarks>
public sealed class ProcessEngineOptions
{
    private int _maxWorkers = Environment.ProcessorCount;
    private TimeSpan? _itemTimeout;
    private int _maxCrashesPerItem = 2;
    private long? _maxItemsPerWorker;
    private long? _maxWorkerMemoryBytes;
    private TimeSpan _startTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _targetBatchDuration = TimeSpan.FromMilliseconds(10);
    private TimeSpan? _idleTimeout;
    private TimeSpan _cancellationGracePeriod = TimeSpan.FromSeconds(2);
    private Dictionary<string, string?> _environment = [];

    /// <summary>Gets or sets how many worker processes <em>each run</em> uses when <see cref="RunOptions.MaxDegreeOfParallelism"/> is not set, and how many idle workers the pool keeps between runs.</summary>
    /// <value>Defaults to <see cref="Environment.ProcessorCount"/>.</value>
    /// <remarks>A width per run and a size for the idle pool, not a cap on the engine's processes: runs at once on one
    /// engine each take their own workers (idle ones first, then new ones), so two runs at once with
    /// <c>MaxWorkers = 2</c> can have four worker processes alive; once they end, the pool keeps two idle and retires the
    /// rest. A run never waits for another run's workers (so runs that depend on each other, such as a run started while
    /// consuming another's stream, cannot deadlock on the pool). To bound the processes of concurrent runs, bound the
    /// runs (a <see cref="SemaphoreSlim"/> around them) or their <see cref="RunOptions.MaxDegreeOfParallelism"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxWorkers
    {
        get => _maxWorkers;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ProcessEngineOptions.MaxWorkers must be at least 1 (got {value}).");
            }

            _maxWorkers = value;
        }
    }

    /// <summary>Gets or sets how long one item may run before its worker is killed and replaced; the item is then reported failed with a <see cref="TimeoutException"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: no limit of its own (but see the remarks). <see cref="Timeout.InfiniteTimeSpan"/>
    /// (returned as set): never kill the worker for time. Enforced within a quarter of the value (at most 50 ms) plus scheduling delay.</value>
    /// <remarks>This is the hard limit on the whole item, attempts and waits of <see cref="RunOptions.ItemRetry"/> included: it
    /// stops even work that ignores its token. <see cref="RunOptions.ItemTimeout"/> is the cooperative limit on each attempt,
    /// applied inside the worker (a timed-out attempt fails with Polly's <c>TimeoutRejectedException</c> and may be
    /// retried); when only that one is set (this one <see langword="null"/>), the worker is still killed once an item has
    /// outlived every attempt's timeout and wait, plus one more timeout. Set <see cref="Timeout.InfiniteTimeSpan"/> to
    /// keep only the cooperative limit.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan? ItemTimeout
    {
        get => _itemTimeout;
        set
        {
            if (value is { } v && v <= TimeSpan.Zero && v != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ProcessEngineOptions.ItemTimeout must be more than zero (got {v}); use Timeout.InfiniteTimeSpan to never kill a worker for time, or null for the default.");
            }

            _itemTimeout = value;
        }
    }

    /// <summary>How long an item may hold its worker before the worker is killed, for a run with <paramref name="policy"/>:
    /// <see cref="ItemTimeout"/>; if it is null and the run has an attempt timeout, every attempt's timeout and wait plus one
    /// more timeout; null for no limit (also for <see cref="Timeout.InfiniteTimeSpan"/>, whatever the run's options).</summary>
    internal TimeSpan? HardItemTimeout(ItemPolicySpec? policy) => _itemTimeout switch
    {
        { } never when never == Timeout.InfiniteTimeSpan => null,
        { } limit => limit,
        null => policy?.WorstCase() is { } worst && policy.Timeout is { } attempt ? TimeSpans.SaturatingAdd(worst, attempt) : null,
    };

    /// <summary>Gets or sets how many times an item may take its worker down, running alone, before it is reported failed with a <see cref="WorkerCrashedException"/>.</summary>
    /// <value>Defaults to 2: a crash can be a fluke (the machine's out-of-memory killer, a stray signal); twice in a row, alone, it is the item.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxCrashesPerItem
    {
        get => _maxCrashesPerItem;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ProcessEngineOptions.MaxCrashesPerItem must be at least 1 (got {value}).");
            }

            _maxCrashesPerItem = value;
        }
    }

    /// <summary>Gets or sets after how many items a worker process is retired and replaced by a fresh one (for work that leaks).</summary>
    /// <value>Defaults to <see langword="null"/>: never.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long? MaxItemsPerWorker
    {
        get => _maxItemsPerWorker;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ProcessEngineOptions.MaxItemsPerWorker must be at least 1 (got {value}).");
            }

            _maxItemsPerWorker = value;
        }
    }

    /// <summary>Gets or sets the working set above which a worker process is retired after its current batch.</summary>
    /// <value>Defaults to <see langword="null"/>: no ceiling. Checked after every batch, from the worker's own report of <see cref="Environment.WorkingSet"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 16 MiB (a .NET worker alone uses more).</exception>
    public long? MaxWorkerMemoryBytes
    {
        get => _maxWorkerMemoryBytes;
        set
        {
            if (value is < 16L * 1024 * 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ProcessEngineOptions.MaxWorkerMemoryBytes must be at least 16 MiB (got {value}).");
            }

            _maxWorkerMemoryBytes = value;
        }
    }

    /// <summary>Gets or sets how long a worker may take to start, answer the handshake, and load the work type (once the
    /// run is cancelled, at most <see cref="CancellationGracePeriod"/> more).</summary>
    /// <value>Defaults to 30 seconds (a cold start takes well under a second; the margin is for loaded CI machines).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan StartTimeout
    {
        get => _startTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _startTimeout = value;
        }
    }

    /// <summary>Gets or sets how long one batch should take: automatic batching sizes batches from the observed cost per item so that each takes about this long.</summary>
    /// <value>Defaults to 10 ms: a round trip to a worker costs tens of microseconds, so batches this long keep the overhead near 1% while leaving enough batches to balance the workers.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan TargetBatchDuration
    {
        get => _targetBatchDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _targetBatchDuration = value;
        }
    }

    /// <summary>Gets or sets how long an idle worker is kept before it is stopped.</summary>
    /// <value>Defaults to <see langword="null"/>: idle workers are kept until the engine is disposed, or collected undisposed (or the process exits).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            if (value is { } v && v <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "IdleTimeout must be positive.");
            }

            _idleTimeout = value;
        }
    }

    /// <summary>
    /// Gets or sets how long, once a run is cancelled, a worker may take to send the last results of the batch it is
    /// running; a worker still running then is killed, and the items it had not reported count as not run.
    /// </summary>
    /// <value>Defaults to 2 seconds: work that honours its token stops well within it (the worker reports within one
    /// flush interval, 50 ms at most). Raise it for work whose cancellation needs longer to clean up; <see
    /// cref="Timeout.InfiniteTimeSpan"/> never kills a worker for cancellation (a run then waits for an item that ignores
    /// its token, as an in-process engine does).</value>
    /// <remarks>It also bounds a worker that is starting or creating the work type when the run is cancelled (from the
    /// cancellation on): past it that worker is killed rather than waited for until <see cref="StartTimeout"/>.
    /// For a running batch, the period starts when the <c>Cancel</c> message is written to the worker. A run is cancelled through its
    /// token, by a stream's reader leaving, or by <see cref="FailureMode.StopOnFirstFailure"/>. <see cref="ItemTimeout"/>
    /// still applies if it comes sooner. A period shorter than 500 ms is accepted (and returned as set) but the engine
    /// waits 500 ms: a worker that honours its token at once still needs up to one flush interval (50 ms) plus the round
    /// trip of the messages to report, which on a loaded machine can take far longer; a shorter period would kill it for
    /// nothing.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan CancellationGracePeriod
    {
        get => _cancellationGracePeriod;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "CancellationGracePeriod must be positive, or Timeout.InfiniteTimeSpan.");
            }

            _cancellationGracePeriod = value;
        }
    }

    /// <summary>Gets the shortest grace period the engine applies (review 21 P3), also the least a worker gets once its
    /// grace is re-armed after a delivery: its flush interval (50 ms at most) plus the messages' round trip, with room
    /// for a loaded machine (75 ms was too little: a worker that stopped at once was killed 1 run in 5 at load 12 on 2 cores).</summary>
    internal static TimeSpan MinCancellationGracePeriod { get; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the grace period the engine applies: <see cref="CancellationGracePeriod"/>, at least <see cref="MinCancellationGracePeriod"/>.</summary>
    internal TimeSpan EffectiveCancellationGracePeriod =>
        _cancellationGracePeriod == Timeout.InfiniteTimeSpan || _cancellationGracePeriod >= MinCancellationGracePeriod ? _cancellationGracePeriod : MinCancellationGracePeriod;

    /// <summary>
    /// Gets or sets a work type whose workers the engine starts as soon as it is created (<see cref="MaxWorkers"/> of
    /// them, in the background), so that its first run finds a warm pool instead of paying for the workers' start-up.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: workers start when a run first needs them (or with
    /// <see cref="ProcessEngine.WarmUpAsync"/>). A worker that cannot start is reported by the run that needs it.</value>
    public Type? PrestartWorkType { get; set; }

    /// <summary>Gets or sets the path of the worker host: <c>Brigade.Processes.Worker.dll</c>, or a worker executable of your own.</summary>
    /// <value>Defaults to <see langword="null"/>: the file next to <c>Brigade.Processes.dll</c>, where every build that references Brigade.Processes puts it.</value>
    /// <remarks>
    /// <para>A path that ends in <c>.dll</c> is a worker host assembly, run with <c>dotnet exec</c> (<see cref="DotnetPath"/>): a
    /// new .NET runtime per worker, which loads the work type's assembly and finds the type by reflection. A cold pool's
    /// first result then waits for that runtime's start-up (over 100 ms).</para>
    /// <para>Any other path is a worker executable, started directly with the same arguments: a project of your own whose
    /// <c>Main</c> registers its work types in a <c>WorkerCatalog</c> and calls <c>NativeWorkerHost.Run</c>
    /// (package Brigade.Processes.NativeWorker), published NativeAOT so that a worker starts in milliseconds. It runs only
    /// the work types compiled into it: a run of another fails at once with an <see cref="ArgumentException"/> that lists
    /// them. <see cref="DotnetPath"/> is then not used, and the workers' globalization mode is the executable's own.
    /// docs/processes.md, "A native worker", shows the steps.</para>
    /// <para>A path that does not exist, or (on Linux and macOS) an executable without an execute permission, fails the
    /// first run or warm-up with a <see cref="WorkerStartException"/>.</para>
    /// </remarks>
    public string? WorkerPath { get; set; }

    /// <summary>Gets or sets the <c>dotnet</c> executable that runs the worker host.</summary>
    /// <value>Defaults to <see langword="null"/>: the one of the runtime this process runs on. Not used for a worker
    /// executable (a <see cref="WorkerPath"/> that does not end in <c>.dll</c>).</value>
    public string? DotnetPath { get; set; }

    /// <summary>Gets or sets whether what workers write to standard output and standard error is copied to this process's standard error, each line prefixed with the worker's process id.</summary>
    /// <value>Defaults to <see langword="true"/>. Either way the last lines are kept for crash reports.</value>
    /// <remarks>Lines are copied by a thread of their own through a bounded queue (4 Mi characters), so a standard error
    /// that nobody reads never stalls a worker. Lines that arrive while the queue is full are dropped, and a line saying
    /// how many of which worker were dropped is written in their place as soon as standard error takes lines again.</remarks>
    public bool ForwardWorkerOutput { get; set; } = true;

    /// <summary>Gets or sets environment variables added to (or, with a <see langword="null"/> value, removed from) the workers' environment.</summary>
    /// <value>Defaults to empty: workers inherit this process's environment.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IDictionary<string, string?> EnvironmentVariables
    {
        get => _environment;
        set => _environment = new Dictionary<string, string?>(value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Gets or sets the id before a new worker's first batch (tests only: starts the ids near a limit).</summary>
    internal long FirstBatchId { get; set; }

    /// <summary>Returns a copy, so that an engine is not affected by later changes to this instance.</summary>
    /// <returns>A copy of the options.</returns>
    public ProcessEngineOptions Clone()
    {
        var copy = (ProcessEngineOptions)MemberwiseClone();
        copy._environment = new Dictionary<string, string?>(_environment);
        return copy;
    }
}
