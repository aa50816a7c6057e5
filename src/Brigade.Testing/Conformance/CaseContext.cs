using Brigade.Testing.Conformance.Gates;
using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance;

/// <summary>What a case works with: the engine, the width, gates, and runs dispatched to the work types.</summary>
/// <remarks>
/// Maps, streams and map-reduces run the suite's work types (<see cref="Transform"/>, <see cref="TransformAsync"/>,
/// <see cref="ToText"/>), which every engine runs, wherever it runs items; for-each runs delegates, on the engines that
/// run delegates. Checks name the variant under way (<see cref="Variant"/>), so a failure says which one failed.
/// </remarks>
internal sealed class CaseContext(Engine engine, ConformanceOptions options) : IDisposable
{
    /// <summary>How long a case waits for anything (a run, a gate) before it fails instead of hanging.</summary>
    /// <remarks>A hang guard, never reached by an engine that works: 120 s, not 30 s, since a correct dedicated-thread engine
    /// took 30–46 s for 1,000 async items from a lazy input on 2 cores at load 50 (under 1 s of that on the CPU: the rest
    /// waiting for a core), and failed the case (ci140, review 54).</remarks>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private readonly List<Gate> _gates = [];

    public Engine Engine => engine;

    public EngineCapabilities Capabilities { get; } = engine.Capabilities;

    /// <summary>Gets the width the cases ask for, and the engine runs: 1 for a single-worker engine.</summary>
    public int Width => IsSingleWorker ? 1 : options.Width;

    public bool IsSingleWorker => Capabilities.HasFlag(EngineCapabilities.SingleWorker);

    public bool InProcess => Capabilities.HasFlag(EngineCapabilities.InProcess);

    public bool AdaptsWidth => Capabilities.HasFlag(EngineCapabilities.AdaptsWidth);

    public bool RunsDelegates => Capabilities.HasFlag(EngineCapabilities.RunsDelegates);

    /// <summary>Gets or sets the variant under way, named in every failed check.</summary>
    public string Variant { get; set; } = "";

    public RunOptions Options(int? width = -1, int? batchSize = null, FailureMode failureMode = FailureMode.Continue) => new()
    {
        Engine = engine,
        MaxDegreeOfParallelism = width == -1 ? Width : width,
        BatchSize = batchSize is 0 ? null : batchSize,
        FailureMode = failureMode,
    };

    /// <summary>A gate for items to report to and wait on, where the engine's items can reach it.</summary>
    public Gate NewGate()
    {
        var files = options.Gates == ConformanceGates.Files || (options.Gates == ConformanceGates.Auto && !InProcess);
        var gate = files ? Gate.CreateInDirectory(options.ScratchDirectory ?? Path.GetTempPath()) : Gate.CreateInMemory();
        lock (_gates)
        {
            _gates.Add(gate);
        }

        return gate;
    }

    /// <summary>A gate that counts every item, only where that is cheap (in memory); null where items cross a boundary.</summary>
    public Gate? TallyGate() =>
        options.Gates == ConformanceGates.Files || (options.Gates == ConformanceGates.Auto && !InProcess) ? null : NewGate();

    public static ConformanceItem[] Items(int count, Func<ConformanceItem, ConformanceItem>? shape = null) =>
        [.. Enumerable.Range(0, count).Select(i => shape is null ? new ConformanceItem(i) : shape(new ConformanceItem(i)))];

    public static int Result(int value) => ConformanceWork.Result(value);

    public string Where(string what) => Variant.Length == 0 ? what : $"[{Variant}] {what}";

    public void True(bool condition, string what) => Check.True(condition, Where(what));

    public void Equal<T>(T expected, T actual, string what) => Check.Equal(expected, actual, Where(what));

    public void Sequence<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what) => Check.Sequence(expected, actual, Where(what));

    public void InRange<T>(T actual, T low, T high, string what)
        where T : IComparable<T> => Check.InRange(actual, low, high, Where(what));

    public Task<T> ThrowsAsync<T>(Func<Task> action, string what)
        where T : Exception => Check.ThrowsAsync<T>(() => action().WaitAsync(Bound), Where(what));

    /// <summary>No worker of the engine is left, and no item of <paramref name="gate"/> is still running.</summary>
    public void NoWorkerLeft(Gate? gate = null, int? runningAtExit = null)
    {
        if (runningAtExit is { } running)
        {
            Equal(0, running, "items still running when the call returned");
        }
        else if (gate is not null)
        {
            Equal(0, gate.Running, "items still running after the call returned");
        }

        if (options.LiveWorkers is { } live)
        {
            Equal(0, live(), "workers still alive after the call returned");
        }
    }

    public static Task<RunResult<int>> MapAsync(Shape shape, ConformanceItem[] items, bool asyncWork, RunOptions options, CancellationToken cancellationToken = default)
    {
        if (shape == Shape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.MapAsync(source, new TransformAsync(), options, cancellationToken) : Runner.MapAsync(source, new Transform(), options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.MapAsync(input, new TransformAsync(), options, cancellationToken) : Runner.MapAsync(input, new Transform(), options, cancellationToken);
    }

    public static RunStream<int> StreamAsync(Shape shape, ConformanceItem[] items, bool asyncWork, RunOptions options)
    {
        if (shape == Shape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.StreamAsync(source, new TransformAsync(), options) : Runner.StreamAsync(source, new Transform(), options);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.StreamAsync(input, new TransformAsync(), options) : Runner.StreamAsync(input, new Transform(), options);
    }

    public static Task<ReduceResult<string>> MapReduceTextAsync(Shape shape, ConformanceItem[] items, bool asyncWork, Func<string, string, string> combine, RunOptions options, CancellationToken cancellationToken = default)
    {
        if (shape == Shape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.MapReduceAsync(source, new ToTextAsync(), combine, options, cancellationToken) : Runner.MapReduceAsync(source, new ToText(), combine, options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.MapReduceAsync(input, new ToTextAsync(), combine, options, cancellationToken) : Runner.MapReduceAsync(input, new ToText(), combine, options, cancellationToken);
    }

    public static Task<ReduceResult<int>> MapReduceSumAsync(Shape shape, ConformanceItem[] items, bool asyncWork, RunOptions options, CancellationToken cancellationToken = default)
    {
        if (shape == Shape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.MapReduceAsync(source, new TransformAsync(), Sum, options, cancellationToken) : Runner.MapReduceAsync(source, new Transform(), Sum, options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.MapReduceAsync(input, new TransformAsync(), Sum, options, cancellationToken) : Runner.MapReduceAsync(input, new Transform(), Sum, options, cancellationToken);
    }

    /// <summary>For-each with delegates (engines that run them): the action runs the item like the work types do.</summary>
    public static Task<RunReport> ForEachAsync(Shape shape, ConformanceItem[] items, bool asyncWork, Action<ConformanceItem> work, RunOptions options, CancellationToken cancellationToken = default)
    {
        Func<ConformanceItem, CancellationToken, ValueTask> asyncAction = async (x, _) =>
        {
            if (x.Value % 2 == 0)
            {
                await Task.Yield();
            }

            work(x);
        };

        if (shape == Shape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.ForEachAsync(source, asyncAction, options, cancellationToken) : Runner.ForEachAsync(source, work, options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.ForEachAsync(input, asyncAction, options, cancellationToken) : Runner.ForEachAsync(input, work, options, cancellationToken);
    }

    public static async Task<List<ItemResult<T>>> ReadAllAsync<T>(RunStream<T> stream)
    {
        var results = new List<ItemResult<T>>();
        await foreach (var r in stream.ConfigureAwait(false))
        {
            results.Add(r);
        }

        return results;
    }

    public static Task<T> Bounded<T>(Task<T> task) => task.WaitAsync(Bound);

    public static Task Bounded(Task task) => task.WaitAsync(Bound);

    public void Dispose()
    {
        lock (_gates)
        {
            foreach (var gate in _gates)
            {
                gate.Dispose();
            }

            _gates.Clear();
        }
    }

    private static int Sum(int a, int b) => a + b;
}
