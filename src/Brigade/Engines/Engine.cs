using Brigade.Auto;
using Brigade.Engines;

namespace Brigade;

/// <summary>Runs the items of a run with one kind of parallelism; chosen with <see cref="RunOptions.Engine"/>.</summary>
/// <remarks>
/// <para>The built-in engines are <see cref="Sequential"/>, <see cref="ThreadPool"/>, <see cref="Threads"/>,
/// <see cref="Async"/>, and <see cref="Auto"/>, which measures the work and picks among them. Other packages add more (worker processes, a cluster). .NET has no global interpreter lock:
/// CPU-bound work scales across cores on <see cref="ThreadPool"/>; processes are for isolation, not speed.</para>
/// <para>To write an engine, derive from this class and implement <see cref="ExecuteAsync{TIn, TOut}"/> in terms of
/// <see cref="EngineJob{TIn, TOut}"/>, which handles input, ordering, failures, cancellation and reporting.</para>
/// </remarks>
public abstract class Engine
{
    private static readonly TimeSpan SequentialBatchTarget = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ThreadPoolBatchTarget = TimeSpan.FromMilliseconds(0.25);
    private static readonly TimeSpan AsyncBatchTarget = TimeSpan.FromMilliseconds(1);

    /// <summary>Initializes an engine.</summary>
    protected Engine()
    {
    }

    /// <summary>Gets one worker that runs items in order: the baseline every speedup is measured against.</summary>
    public static Engine Sequential { get; } = new TaskEngine("sequential", static () => 1, SequentialBatchTarget, forceSingleWorker: true);

    /// <summary>Gets workers on the .NET thread pool, one per core by default, for CPU-bound work.</summary>
    public static Engine ThreadPool { get; } = new TaskEngine("threadpool", static () => Environment.ProcessorCount, ThreadPoolBatchTarget, forceSingleWorker: false);

    /// <summary>Gets dedicated threads, 64 by default, for blocking work (blocking I/O, sleeps, legacy synchronous APIs).</summary>
    public static Engine Threads { get; } = new DedicatedThreadsEngine();

    /// <summary>Gets asynchronous workers, 256 in flight by default, for asynchronous I/O.</summary>
    public static Engine Async { get; } = new TaskEngine("async", static () => 256, AsyncBatchTarget, forceSingleWorker: false);

    /// <summary>
    /// Gets auto mode: it measures a sample of the run's own items (CPU time against wall time, time per item,
    /// allocations, time in flight), picks the engine, width and batch size, keeps measuring to re-plan when the work
    /// changes, and explains its choice in <see cref="RunReport.Plan"/>. Plans are remembered per work and machine.
    /// </summary>
    /// <remarks>Uses the defaults of <see cref="AutoEngineOptions"/>; see <see cref="CreateAuto(AutoEngineOptions)"/> to change them.</remarks>
    public static Engine Auto { get; } = new AutoEngine(new AutoEngineOptions());

    /// <summary>Gets the engine used when <see cref="RunOptions.Engine"/> is not set: <see cref="Auto"/>.</summary>
    public static Engine Default => Auto;

    /// <summary>Creates an auto-mode engine with its own options.</summary>
    /// <param name="options">How auto mode samples, decides and remembers; a snapshot is taken.</param>
    /// <returns>The engine; its <see cref="Name"/> is <c>auto</c>.</returns>
    public static Engine CreateAuto(AutoEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AutoEngine(options.Clone());
    }

    /// <summary>Gets the engine's stable lower-case name, as used in reports and on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the engine can do and how it runs items; by default it runs delegates, in this process.</summary>
    /// <remarks>A run checks one thing against it (<see cref="RunOptions.ItemTimeout"/> and <see cref="RunOptions.ItemRetry"/> need
    /// <see cref="EngineCapabilities.InProcess"/> or <see cref="EngineCapabilities.ItemTimeoutAndRetry"/>); otherwise an engine that
    /// cannot run the work says so through <see cref="EngineJob{TIn, TOut}.Fail"/>.
    /// Tools read it (<c>brigade run</c>'s engine list, the conformance suite in Brigade.Testing).</remarks>
    public virtual EngineCapabilities Capabilities => EngineCapabilities.RunsDelegates | EngineCapabilities.InProcess;

    /// <summary>Gets the width the engine uses when <see cref="RunOptions.MaxDegreeOfParallelism"/> is not set.</summary>
    /// <returns>The default degree of parallelism.</returns>
    public abstract int GetDefaultDegreeOfParallelism();

    /// <summary>Finds an engine by its <see cref="Name"/> among the built-in ones.</summary>
    /// <param name="name">The name, such as <c>threadpool</c>; case-insensitive.</param>
    /// <param name="engine">The engine, when found.</param>
    /// <returns>Whether the name is a built-in engine.</returns>
    public static bool TryGetBuiltIn(string name, out Engine engine)
    {
        foreach (var e in (ReadOnlySpan<Engine>)[Sequential, ThreadPool, Threads, Async, Auto])
        {
            if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                engine = e;
                return true;
            }
        }

        engine = null!;
        return false;
    }

    /// <summary>Runs every item of <paramref name="job"/>; completes when every worker has exited.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="job">The run.</param>
    /// <returns>A task that completes when no worker of the run is left.</returns>
    protected internal abstract Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job);

    internal virtual int ResolveDegreeOfParallelism(int? requested, long? itemCount)
    {
        var width = requested ?? GetDefaultDegreeOfParallelism();
        if (itemCount is { } n)
        {
            width = (int)Math.Min(width, Math.Max(1, n));
        }

        return Math.Max(1, width);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
