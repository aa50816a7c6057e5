using System.Diagnostics.CodeAnalysis;
using Brigade.Engines.Remote;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes;

/// <summary>
/// Runs items in a pool of .NET worker processes: for isolation (non-thread-safe or leaky libraries, static state),
/// crash containment (a crash, <see cref="Environment.FailFast(string)"/>, stack overflow or kill of a worker loses
/// nothing), per-item timeouts, and memory limits. Engine name in reports: <c>processes</c>.
/// </summary>
/// <remarks>
/// <para>Work crosses the process boundary as a type: pass an <see cref="IWork{TIn, TOut}"/> or
/// <see cref="IAsyncWork{TIn, TOut}"/> instance to <see cref="Runner"/>; each worker creates its own instance with the
/// parameterless constructor, and inputs and results travel as JSON (see <see cref="WorkDescriptor"/>). A work type
/// that cannot cross is rejected before any item runs.</para>
/// <para>Workers start when a run first needs them and stay in the pool for later runs; they exit by themselves when
/// this process exits or dies, even by SIGKILL. Dispose the engine to stop them sooner (an engine nobody disposed stops them once it is garbage-collected). .NET threads already run
/// CPU-bound work on every core: choose this engine for what only a separate process gives.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var processes = new ProcessEngine(new ProcessEngineOptions { ItemTimeout = TimeSpan.FromMinutes(1) });
/// var result = await Runner.MapAsync(files, new ParseWithNativeLibrary(), new RunOptions { Engine = processes });
/// foreach (var failure in result.Report.Failures) Console.WriteLine(failure);  // item 17: WorkerCrashedException: ...
/// </code>
/// </example>
public sealed class ProcessEngine : Engine, IAsyncDisposable, IDisposable
{
    private int _nextWorkId;
    private WorkerLauncher? _launcher;
    private int _disposed;

    /// <summary>Initializes an engine with the default options.</summary>
    public ProcessEngine()
        : this(new ProcessEngineOptions())
    {
    }

    /// <summary>Initializes an engine; with <see cref="ProcessEngineOptions.PrestartWorkType"/>, starts its workers.</summary>
    /// <param name="options">The options; copied, so later changes do not affect the engine.</param>
    /// <exception cref="ArgumentException"><see cref="ProcessEngineOptions.PrestartWorkType"/> is not a work type that can cross a process boundary.</exception>
    /// <exception cref="WorkerStartException"><see cref="ProcessEngineOptions.PrestartWorkType"/> is set and the worker host was not found.</exception>
    public ProcessEngine(ProcessEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Clone();
        Pool = new WorkerPool(Options);

        // An engine is made to run: its first run's telemetry set-up (the runtime's, tens of ms once per process) is
        // begun now, beside what the caller does next, rather than in series before the first pool starts.
        Brigade.Diagnostics.TelemetryWarmUp.Start();
        if (Options.PrestartWorkType is { } prestart)
        {
            Prestart(prestart);
        }
    }

    /// <summary>Gets the engine's options (a copy taken when it was created).</summary>
    public ProcessEngineOptions Options { get; }

    /// <inheritdoc/>
    public override string Name => "processes";

    /// <inheritdoc/>
    /// <remarks>Work types only (no delegates), in other processes; a hung item is killed with its worker, a crash is contained.</remarks>
    public override EngineCapabilities Capabilities => EngineCapabilities.HardItemTimeout | EngineCapabilities.CrashContainment | EngineCapabilities.ItemTimeoutAndRetry;

    internal WorkerPool Pool { get; }

    /// <summary>Gets or sets the largest Batch frame the engine sends (the protocol's limit; tests lower it).</summary>
    internal int MaxBatchFrameLength { get; init; } = WireFormat.MaxFrameLength;

    /// <inheritdoc/>
    /// <returns><see cref="ProcessEngineOptions.MaxWorkers"/>.</returns>
    public override int GetDefaultDegreeOfParallelism() => Options.MaxWorkers;

    /// <summary>Gets the process ids of the live worker processes, idle or busy.</summary>
    /// <returns>The process ids.</returns>
    public IReadOnlyList<int> GetWorkerProcessIds() => Pool.ProcessIds();

    /// <summary>Gets what the pool has done so far: workers started, crashed, recycled, items retried and isolated, start-up time.</summary>
    /// <returns>A snapshot of the counters.</returns>
    public ProcessEngineStatistics GetStatistics() => Pool.Statistics();

    /// <summary>Starts worker processes for a work type's assembly ahead of the first run, so that run pays no start-up cost.</summary>
    /// <param name="workType">A work type; workers load the assembly that defines it.</param>
    /// <param name="count">How many idle workers to have; defaults to <see cref="ProcessEngineOptions.MaxWorkers"/>.</param>
    /// <param name="cancellationToken">Stops waiting (workers already starting still join the pool).</param>
    /// <returns>A task that completes when the workers are ready.</returns>
    /// <exception cref="ArgumentException">The type is not a work type that can cross a process boundary.</exception>
    /// <exception cref="WorkerStartException">A worker could not start.</exception>
    public Task WarmUpAsync(Type workType, int? count = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workType);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (poolKey, name) = PoolFor(workType);
        var workers = count ?? Options.MaxWorkers;
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1, nameof(count));
        return Pool.WarmUpAsync(Launcher(), poolKey, name, workers, cancellationToken);
    }

    /// <inheritdoc/>
    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (job.WorkType is not { } workType)
            {
                throw new NotSupportedException(
                    "The processes engine runs work types, not delegates: a delegate cannot be recreated in another process. " +
                    "Implement IWork<TIn, TOut> (or IAsyncWork<TIn, TOut>) in a class with a parameterless constructor and pass an instance, " +
                    "as in Runner.MapAsync(items, new MyWork(), options). See docs/processes.md.");
            }

            var work = Describe<TIn, TOut>(workType);
            EnsureInstanceTravels(job.WorkInstance);
            var run = new ProcessRun<TIn, TOut>(this, job, work, Launcher(), Interlocked.Increment(ref _nextWorkId));
            return run.Start();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or WorkerStartException or ObjectDisposedException)
        {
            // Before any item runs: the run rethrows this once it has wound down.
            job.Fail(e);
            return Task.CompletedTask;
        }
    }

    /// <summary>Kills every worker process, idle or busy; a run still in progress fails with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Pool.Dispose();
        }
    }

    /// <summary>Kills every worker process, idle or busy, and waits (briefly) until they are gone.</summary>
    /// <returns>A task that completes when the workers are gone.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        return new ValueTask(Task.Run(Pool.Dispose));
    }

    // Starts the pool in the background; a failure here is left for the first run to meet and report (it starts the
    // workers it is missing itself). The warm-up is registered with the pool before the constructor returns, so that a
    // run started at once waits for these workers instead of starting more of its own.
    private void Prestart(Type workType)
    {
        var (poolKey, name) = PoolFor(workType);
        var warming = Pool.WarmUpAsync(Launcher(), poolKey, name, Options.MaxWorkers, CancellationToken.None);
        _ = warming.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    // A run's work: for a worker executable of the application's own (WorkerPath), described without reflection over its
    // members, so that a NativeAOT or trimmed application can run this engine; for the shipped worker host, by reflection.
    private ProcessWork Describe<TIn, TOut>(Type workType)
    {
        var launcher = Launcher();
        if (launcher.Direct)
        {
            var work = ProcessWork.ForExecutable<TIn, TOut>(workType, launcher.WorkerPath);
            work.EnsureFits<TIn, TOut>();
            return work;
        }

        return ForWorkerHost<TIn, TOut>(workType);
    }

    // What a warm-up needs: the pool a work type's workers come from, and the type's name (a hint to the starting worker).
    private (string PoolKey, string Name) PoolFor(Type workType)
    {
        var launcher = Launcher();
        if (!launcher.Direct)
        {
            var hosted = ForWorkerHost(workType);
            return (hosted.PoolKey, hosted.Name);
        }

        ProcessWork.EnsureWorkType(workType);
        return (launcher.WorkerPath, workType.FullName ?? workType.Name);
    }

    // The shipped worker host loads the work type's assembly file and finds the type by reflection, and so does this side.
    // A NativeAOT application has neither (its types are compiled into the executable), and a trimmed one cannot trust
    // what reflection finds of its types: both are told to build a worker executable instead, before any reflection runs.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where ProcessWork.CanReflect (checked first): a trimmed or NativeAOT application is sent to a worker executable (WorkerPath), which takes the other path.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported (ProcessWork.CanReflect).")]
    private static ProcessWork ForWorkerHost(Type workType)
    {
        if (!ProcessWork.CanReflect)
        {
            throw new NotSupportedException(
                $"This application is compiled ahead of time (NativeAOT) or trimmed: the worker host that ships with Brigade.Processes finds work type {workType.FullName} by reflection, " +
                "in an assembly file. Build a worker executable with the type in its catalog (NativeWorkerHost.Run, package Brigade.Processes.NativeWorker; " +
                "the application itself can be its own worker) and set ProcessEngineOptions.WorkerPath to it. See docs/processes.md.");
        }

        return ProcessWork.ForWorkerHost(workType);
    }

    // The same, for a run: the work's types fit the run's and its values can cross (reflection, as above).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "As ForWorkerHost(Type): reached only where ProcessWork.CanReflect.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As ForWorkerHost(Type).")]
    private static ProcessWork ForWorkerHost<TIn, TOut>(Type workType)
    {
        var hosted = ForWorkerHost(workType);
        var descriptor = hosted.Descriptor!;
        if (RemoteValueCodec<TIn>.TravelsRaw(descriptor.InputType) && RemoteValueCodec<TOut>.TravelsRaw(descriptor.OutputType))
        {
            // Primitive numbers both ways never meet JSON: no metadata to build for the check (ProcessWork.ForExecutable).
            WorkTypeCheck.EnsureFits<TIn, TOut>(descriptor);
        }
        else
        {
            WorkTypeCheck.Ensure<TIn, TOut>(descriptor);
        }

        return hosted;
    }

    // Each worker creates its own instance of the work type: one the caller configured (new Scale { Factor = 3 }) ran every
    // item with the defaults and reported success (lib58). Refused before any item runs; no reflection without CanReflect.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where ProcessWork.CanReflect.")]
    private static void EnsureInstanceTravels(object? instance)
    {
        if (ProcessWork.CanReflect)
        {
            WorkInstanceCheck.Ensure(instance);
        }
    }

    private WorkerLauncher Launcher() => _launcher ??= WorkerLauncher.Resolve(Options);
}
