namespace Brigade.Engines;

/// <summary>
/// An engine's workers: starts them up to a limit and completes when the last one has exited. The one worker limiter
/// of Brigade's engines (thread pool, threads, async, worker processes, cluster slots; auto mode counts its own workers, whose width moves with its plan).
/// </summary>
/// <remarks>
/// <para>A worker is reserved (<see cref="TryReserve"/>), started, and ends with <see cref="Exited"/>;
/// <see cref="TryStartThread"/> and <see cref="TryStartTask"/> do all three around a loop, and handle a thread that cannot
/// be started. Reserve a new worker only before the first one starts or from a worker that is still running (the usual
/// way: a worker that takes a batch starts the next, so width follows the work): then once the running count reaches
/// zero no further worker can appear, and <see cref="Completion"/> is final.</para>
/// <para>A group allows at most <see cref="MaxWorkers"/> workers over its whole life: a worker that exits is not
/// replaced. All members are thread-safe and lock-free.</para>
/// </remarks>
/// <example>
/// <code>
/// protected override Task ExecuteAsync&lt;TIn, TOut&gt;(EngineJob&lt;TIn, TOut&gt; job)
/// {
///     var group = new WorkerGroup(job.DegreeOfParallelism);
///     group.TryStartTask(id => LoopAsync(job, group, id));   // each loop starts the next after taking a batch
///     return group.Completion;
/// }
/// </code>
/// </example>
public sealed class WorkerGroup
{
    private static int _liveThreads;

    // The test seam for a thread that cannot start (out of threads or memory): scoped to the test's flow (threads and
    // tasks started from it inherit it), so tests running beside it start their threads as usual.
    private static readonly AsyncLocal<Action<Thread>?> ThreadStarter = new();

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxWorkers;
    private int _started;
    private int _running;

    /// <summary>Initializes a group of at most <paramref name="maxWorkers"/> workers.</summary>
    /// <param name="maxWorkers">The most workers the group ever starts; usually <see cref="EngineJob{TIn, TOut}.DegreeOfParallelism"/>.</param>
    public WorkerGroup(int maxWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxWorkers);
        _maxWorkers = maxWorkers;
    }

    /// <summary>Gets the most workers the group starts over its life.</summary>
    public int MaxWorkers => _maxWorkers;

    /// <summary>Gets how many workers have been reserved so far; also the next worker's id.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Gets how many workers are reserved and have not exited.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Gets a task that completes when the last worker has exited.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Gets the number of threads started by any group that are still alive in the process, for tests that check no thread outlives its run.</summary>
    internal static int LiveThreads => Volatile.Read(ref _liveThreads);

    /// <summary>Sets how threads are started in the calling flow, for tests of a thread that cannot start; null for <see cref="Thread.Start()"/>.</summary>
    internal static Action<Thread>? ThreadStarterForTests
    {
        get => ThreadStarter.Value;
        set => ThreadStarter.Value = value;
    }

    /// <summary>Reserves the next worker, unless the limit is reached.</summary>
    /// <param name="id">The worker's id: 0, 1, 2, ... in reservation order; -1 when none was reserved.</param>
    /// <returns>Whether a worker was reserved; the caller starts it and calls <see cref="Exited"/> when it ends.</returns>
    public bool TryReserve(out int id)
    {
        while (true)
        {
            var started = Volatile.Read(ref _started);
            if (started >= _maxWorkers)
            {
                id = -1;
                return false;
            }

            if (Interlocked.CompareExchange(ref _started, started + 1, started) == started)
            {
                Interlocked.Increment(ref _running);
                id = started;
                return true;
            }
        }
    }

    /// <summary>Ends a worker: its loop has finished, or it could not be started.</summary>
    /// <returns>Whether it was the last running worker: the group is complete.</returns>
    public bool Exited()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _completion.TrySetResult();
            return true;
        }

        return false;
    }

    /// <summary>Reserves a worker and runs <paramref name="loop"/> on a thread of its own (background, named <paramref name="name"/>
    /// and the id); the worker exits when the loop returns.</summary>
    /// <param name="name">The thread's name prefix, such as <c>brigade-thread-</c>.</param>
    /// <param name="loop">The worker's loop, given its id. It should catch its own errors (an engine reports them with <see cref="EngineJob{TIn, TOut}.Fail"/>).</param>
    /// <param name="onStartFailure">Called when the thread cannot be started and no other worker of the group runs, so the
    /// run would get nowhere (out of threads or memory); with fewer workers the run goes on with those it has.</param>
    /// <returns>Whether a worker was reserved (and started, or its failure handled).</returns>
    public bool TryStartThread(string name, Action<int> loop, Action<Exception> onStartFailure)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(onStartFailure);
        if (!TryReserve(out var id))
        {
            return false;
        }

        var thread = new Thread(() =>
        {
            try
            {
                loop(id);
            }
            finally
            {
                Interlocked.Decrement(ref _liveThreads);
                Exited();
            }
        })
        {
            IsBackground = true,
            Name = name + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        Interlocked.Increment(ref _liveThreads);
        try
        {
            if (ThreadStarter.Value is { } start)
            {
                start(thread);
            }
            else
            {
                thread.Start();
            }
        }
        catch (Exception e)
        {
            Interlocked.Decrement(ref _liveThreads);

            // Decided before this worker's exit, while it still counts: only the reserving worker (or the engine, before
            // any worker) can be running besides it.
            if (Running == 1)
            {
                onStartFailure(e);
            }

            Exited();
        }

        return true;
    }

    /// <summary>Reserves a worker and runs <paramref name="loop"/> on the thread pool; the worker exits when the loop's task ends.</summary>
    /// <param name="loop">The worker's loop, given its id. It should catch its own errors (an engine reports them with <see cref="EngineJob{TIn, TOut}.Fail"/>).</param>
    /// <returns>Whether a worker was reserved and started.</returns>
    public bool TryStartTask(Func<int, Task> loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        if (!TryReserve(out var id))
        {
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await loop(id).ConfigureAwait(false);
            }
            finally
            {
                Exited();
            }
        });
        return true;
    }
}
