namespace Brigade.Auto;

/// <summary>How auto mode samples, decides and remembers; pass to <see cref="Engine.CreateAuto(AutoEngineOptions)"/>.</summary>
/// <remarks>
/// Values are validated when set; the engine takes a snapshot when it is created. <see cref="Engine.Auto"/> uses
/// the defaults. See <c>docs/auto-mode.md</c> for the algorithm the options tune.
/// </remarks>
/// <example>
/// <code>
/// var auto = Engine.CreateAuto(new AutoEngineOptions { MaxThreads = 64, UsePlanCache = false });
/// var result = await Runner.MapAsync(urls, Download, new RunOptions { Engine = auto });
/// Console.WriteLine(result.Report.Plan);   // Threads ×64, batch 1 — blocking I/O (cpu/wall 0.02), ...
/// </code>
/// </example>
public sealed class AutoEngineOptions
{
    /// <summary>The environment variable that turns the plan cache off for every auto engine in the process when set to <c>1</c> or <c>true</c>.</summary>
    public const string NoPlanCacheVariable = "BRIGADE_NO_PLAN_CACHE";

    private int _sampleItems = 256;
    private TimeSpan _sampleTime = TimeSpan.FromMilliseconds(20);
    private TimeSpan _minParallelWork = TimeSpan.FromMilliseconds(1);
    private int _maxThreads = 1024;
    private int _maxConcurrency = 1024;
    private string? _planCacheDirectory;
    private Engine? _isolatedEngine;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Gets or sets the most items the sample measures before auto mode decides.</summary>
    /// <value>Defaults to 256. The sample's items are part of the run: their results are kept, never computed twice.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int SampleItems
    {
        get => _sampleItems;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _sampleItems = value;
        }
    }

    /// <summary>Gets or sets the longest the sample runs before auto mode decides from what it has measured.</summary>
    /// <value>
    /// Defaults to 20 ms. When no item has finished by then, auto mode decides from the CPU use of the items still
    /// running (on Linux) or waits for the first item to finish.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or is more than a minute.</exception>
    public TimeSpan SampleTime
    {
        get => _sampleTime;
        set
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "SampleTime must be positive and at most a minute.");
            }

            _sampleTime = value;
        }
    }

    /// <summary>Gets or sets the least estimated computation a whole job needs for auto mode to parallelize it.</summary>
    /// <value>
    /// Defaults to 1 ms: below that, starting and coordinating workers costs about as much as it saves, so the job
    /// runs sequentially and its plan says "not worth parallelizing". Work that mostly waits is never "tiny":
    /// overlapping waits pays off at any size.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MinParallelWork
    {
        get => _minParallelWork;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _minParallelWork = value;
        }
    }

    /// <summary>Gets or sets the most dedicated threads auto mode runs for blocking or mixed work.</summary>
    /// <value>
    /// Defaults to 1,024. Little's law asks for many threads when items barely use the CPU (1,000 items sleeping 100 ms:
    /// 1,000 threads finish in about 0.1 s); this caps it. Auto mode also runs no more threads than the memory available to
    /// the process affords, counting each thread's whole stack reservation (1.5 MB by default) against an eighth of it.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than 4,096.</exception>
    public int MaxThreads
    {
        get => _maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 4096);
            _maxThreads = value;
        }
    }

    /// <summary>Gets or sets the most asynchronous items auto mode keeps in flight.</summary>
    /// <value>Defaults to 1,024: the ceiling of the adaptive concurrency limit.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than 65,536.</exception>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65_536);
            _maxConcurrency = value;
        }
    }

    /// <summary>Gets or sets whether auto mode keeps measuring during the run and re-plans when the work changes character.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool Adaptive { get; set; } = true;

    /// <summary>Gets or sets whether the work reports the CPU time it causes elsewhere (child processes) through
    /// <see cref="ExternalCpuTime"/>, which is known only when an item finishes.</summary>
    /// <value>
    /// Defaults to <see langword="false"/>. When <see langword="true"/>, auto mode decides only from finished items and
    /// keeps the sample at the core count until it has them: an item still running shows no CPU yet, and widening
    /// CPU-bound commands past the cores would slow each of them until they all looked like waiting.
    /// </value>
    public bool ReportsExternalCpu { get; set; }

    /// <summary>Gets or sets whether plans are remembered per work and machine, so that the next run starts with the right plan.</summary>
    /// <value>
    /// Defaults to <see langword="true"/>. The environment variable <see cref="NoPlanCacheVariable"/> set to
    /// <c>1</c> or <c>true</c> turns the cache off regardless.
    /// </value>
    public bool UsePlanCache { get; set; } = true;

    /// <summary>Gets or sets the directory of the plan cache file, <c>plans.json</c>.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: <c>$XDG_CACHE_HOME/brigade</c> or <c>~/.cache/brigade</c> on Linux and
    /// macOS, <c>%LOCALAPPDATA%\brigade</c> on Windows.
    /// </value>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? PlanCacheDirectory
    {
        get => _planCacheDirectory;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value);
            }

            _planCacheDirectory = value;
        }
    }

    /// <summary>Gets or sets an engine that runs work in isolation (such as the worker-process engine), for work that asks for it.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: auto mode runs everything in this process, where CPU-bound .NET code
    /// scales on threads. When set, auto mode runs no item in this process: it hands the run to this engine at the
    /// width it plans (the core count for unknown work) and classifies the work from the CPU time that engine reports.
    /// </value>
    /// <exception cref="ArgumentException">The value is an auto engine.</exception>
    public Engine? IsolatedEngine
    {
        get => _isolatedEngine;
        set => _isolatedEngine = value is AutoEngine ? throw new ArgumentException("The isolated engine cannot itself be an auto engine.", nameof(value)) : value;
    }

    /// <summary>Gets or sets the clock auto mode measures with and paces its sampling and re-planning by.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the in-process engines a plan may run on, by name (<c>sequential</c>, <c>threadpool</c>,
    /// <c>threads</c>, <c>async</c>): <c>brigade advise --engines</c>, where auto mode is measured among the engines a user
    /// can ship (review 64).</summary>
    /// <value>Defaults to <see langword="null"/>: any. A plan on another engine is planned again on the first allowed one of
    /// its stand-ins, with the width and batch that engine needs (<see cref="AutoPlanner.Among"/>), and its line says so. An
    /// <see cref="IsolatedEngine"/>'s plans are not affected.</value>
    internal IReadOnlyList<string>? Engines { get; set; }

    /// <summary>Gets whether <see cref="Engines"/> allows no in-process engine that runs items at once (only <c>sequential</c>):
    /// then the sample too runs one item at a time (review 65b: it ran the user's work on two or more workers before the
    /// plan, which broke work chosen to run one after the other because it is not thread-safe).</summary>
    internal bool OneAtATime => Engines is { Count: > 0 } engines && !engines.Any(e => e is "threadpool" or "threads" or "async");

    /// <summary>Gets or sets what is called with the run's final evidence when an in-process auto run ends (tests).</summary>
    /// <value>Defaults to <see langword="null"/>. Called once per run, on the run's flow, after the last worker left and before
    /// the run stops timing lock waits; not called for an <see cref="IsolatedEngine"/>'s runs or a run whose engine threw.</value>
    internal Action<AutoRunOutcome>? OnFinished { get; set; }

    /// <summary>Gets or sets whether a tiny job's first worker offers a pool thread to join it (tests): null to decide by the
    /// job's rest and the pool's idle threads (<c>AutoWorkerPool.MaybeJoin</c>), true after its first batch whatever they are, false never.</summary>
    internal bool? TinyJoin { get; set; }

    /// <summary>Gets whether the plan cache is on, taking <see cref="NoPlanCacheVariable"/> into account.</summary>
    internal bool PlanCacheEnabled
    {
        get
        {
            if (!UsePlanCache)
            {
                return false;
            }

            var off = Environment.GetEnvironmentVariable(NoPlanCacheVariable);
            return !(string.Equals(off, "1", StringComparison.Ordinal) || string.Equals(off, "true", StringComparison.OrdinalIgnoreCase));
        }
    }

    internal AutoEngineOptions Clone() => (AutoEngineOptions)MemberwiseClone();
}
