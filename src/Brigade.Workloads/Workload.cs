using Brigade.Auto;

namespace Brigade.Workloads;

/// <summary>One labelled workload: what it is, the class auto mode should measure, and the engines a person would pick for it.</summary>
internal sealed class Workload
{
    private readonly Func<RunOptions, CancellationToken, Task<RunReport>> _run;
    private readonly Func<CancellationToken, Task> _warmUp;

    public Workload(string id, string title, WorkloadClass expected, IReadOnlyList<EngineChoice> handPicked, long items,
        Func<RunOptions, CancellationToken, Task<RunReport>> run, Func<CancellationToken, Task> warmUp)
    {
        Id = id;
        Title = title;
        ExpectedClass = expected;
        HandPicked = handPicked;
        Items = items;
        _run = run;
        _warmUp = warmUp;
    }

    /// <summary>Gets how to run only some of the items (by index), for a measured sequential baseline; null when the workload cannot.</summary>
    public Func<IReadOnlyList<int>, RunOptions, CancellationToken, Task<RunReport>>? RunItems { get; init; }

    /// <summary>Gets the stable id, such as <c>blocking-sleep</c>.</summary>
    public string Id { get; }

    /// <summary>Gets a one-line description, such as <c>2,000 × Thread.Sleep(10 ms)</c>.</summary>
    public string Title { get; }

    /// <summary>Gets the class auto mode should end with.</summary>
    public WorkloadClass ExpectedClass { get; }

    /// <summary>Gets the class auto mode should start with, when the workload changes character mid-run.</summary>
    public WorkloadClass? ExpectedFirstClass { get; init; }

    /// <summary>Gets the hand-picked alternatives; the first is the one an expert would pick.</summary>
    public IReadOnlyList<EngineChoice> HandPicked { get; }

    /// <summary>Gets the number of items.</summary>
    public long Items { get; }

    /// <summary>Runs the workload with <paramref name="options"/> (engine, width, label).</summary>
    public Task<RunReport> RunAsync(RunOptions options, CancellationToken cancellationToken = default) => _run(options, cancellationToken);

    /// <summary>Runs a few items of each kind sequentially, so that no measured run pays for compiling the work.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken = default) => _warmUp(cancellationToken);

    /// <summary>A copy of this workload whose hand-picked alternatives are only <paramref name="handPicked"/> (<c>brigade advise --engines</c>).</summary>
    public Workload WithHandPicked(IReadOnlyList<EngineChoice> handPicked) =>
        new(Id, Title, ExpectedClass, handPicked, Items, _run, _warmUp) { RunItems = RunItems, ExpectedFirstClass = ExpectedFirstClass };

    /// <inheritdoc/>
    public override string ToString() => Id;
}
