namespace Brigade.Auto;

/// <summary>What a plan depends on besides the measurements: the machine, the run's limits and its size.</summary>
internal readonly record struct PlanContext
{
    /// <summary>Gets the number of cores work can run on.</summary>
    public required int Cores { get; init; }

    /// <summary>Gets the auto engine's options.</summary>
    public required AutoEngineOptions Options { get; init; }

    /// <summary>Gets the user's <see cref="RunOptions.MaxDegreeOfParallelism"/>: a ceiling on every width.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Gets the user's <see cref="RunOptions.BatchSize"/>: when set, every plan uses it.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Gets the number of items in the run, when the input knows it.</summary>
    public long? ItemCount { get; init; }

    /// <summary>Gets how many items have finished, so that widths never exceed the items left.</summary>
    public long ItemsDone { get; init; }

    /// <summary>Gets whether the plan comes from the plan cache.</summary>
    public bool FromCache { get; init; }

    /// <summary>Gets whether the measurements are of items still running (or of a window mid-run), whose time per item
    /// is only a lower bound or not the whole job: such plans are never <see cref="WorkloadClass.Tiny"/>.</summary>
    public bool NotWholeJob { get; init; }

    /// <summary>Gets a note appended to the explanation in parentheses, such as why the plan was made.</summary>
    public string? Note { get; init; }
}
