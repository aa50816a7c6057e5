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

    /// <summary>Gets whether the measurements are of items still running, none of which has finished: their time so far
    /// bounds their wait from below only, so a pure wait (see <see cref="AutoPlanner.PureWaitMax"/>) is given as many threads
    /// as the items left and the ceiling allow, and the width follows Little's law once items finish.</summary>
    public bool FromRunningItems { get; init; }

    /// <summary>Gets whether the process runs Server GC (a heap per core), where threads that allocate do not share one
    /// heap's collections the way they do under workstation GC.</summary>
    public bool ServerGc { get; init; }

    /// <summary>Gets the most dedicated threads the machine's memory affords (see <see cref="AutoThreads.Affordable"/>), or 0
    /// for no limit beyond <see cref="AutoEngineOptions.MaxThreads"/>.</summary>
    public int AffordableThreads { get; init; }

    /// <summary>Gets the most dedicated threads a plan may use: <see cref="AutoEngineOptions.MaxThreads"/>, and no more than memory affords.</summary>
    public int ThreadCeiling => AffordableThreads > 0 ? Math.Max(1, Math.Min(Options.MaxThreads, AffordableThreads)) : Options.MaxThreads;

    /// <summary>Gets the memory available for new processes here (see <see cref="AutoWorkerProcesses.AvailableBytes()"/>), or 0
    /// when not known: with <see cref="WorkerProcessBytes"/> it bounds the worker processes of an isolated plan.</summary>
    public long AvailableMemoryBytes { get; init; }

    /// <summary>Gets the resident memory of one worker process as a run measured it (<see cref="AutoWorkerProcesses.ResidentBytes"/>),
    /// or 0 when not measured: then <see cref="AutoWorkerProcesses.StatedWorkerBytes"/>.</summary>
    public long WorkerProcessBytes { get; init; }

    /// <summary>Gets whether <see cref="WorkerProcessBytes"/> was measured (by a run of this work).</summary>
    public bool WorkerBytesMeasured => WorkerProcessBytes > 0;

    /// <summary>Gets the memory one worker process is counted at: <see cref="WorkerProcessBytes"/> when measured, else
    /// <see cref="AutoWorkerProcesses.StatedWorkerBytes"/>.</summary>
    public long WorkerBytes => WorkerProcessBytes > 0 ? WorkerProcessBytes : AutoWorkerProcesses.StatedWorkerBytes;

    /// <summary>Gets the most worker processes an isolated plan may use: what the memory affords
    /// (<see cref="AutoWorkerProcesses.Affordable"/>), or no limit when the memory is not known. Not
    /// <see cref="ThreadCeiling"/>: <see cref="AutoEngineOptions.MaxThreads"/> and a thread's stack are the wrong measure of a
    /// process (review 66).</summary>
    public int ProcessCeiling => AvailableMemoryBytes > 0 ? AutoWorkerProcesses.Affordable(AvailableMemoryBytes, WorkerBytes) : int.MaxValue;

    /// <summary>Gets what starting one dedicated thread costs here (see <see cref="AutoThreads.StartCost"/>); default:
    /// <see cref="AutoPlanner.ThreadStartCost"/>.</summary>
    public TimeSpan ThreadStartCost { get; init; }

    /// <summary>Gets the thread start cost the plan weighs: <see cref="ThreadStartCost"/>, at least <see cref="AutoPlanner.ThreadStartCost"/>.</summary>
    public TimeSpan ThreadStart => ThreadStartCost > AutoPlanner.ThreadStartCost ? ThreadStartCost : AutoPlanner.ThreadStartCost;

    /// <summary>Gets how the work's CPU time per item grew beside another worker, as a remembered plan measured it
    /// (<see cref="AutoPlanner.CpuGrowth"/>), for a sample that cannot tell (a cached one); null when not known.</summary>
    public double? CpuGrowth { get; init; }

    /// <summary>Gets a note appended to the explanation in parentheses, such as why the plan was made.</summary>
    public string? Note { get; init; }
}
