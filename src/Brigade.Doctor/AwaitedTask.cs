namespace Brigade.Doctor;

/// <summary>A task a thread waits for synchronously, and what that task in turn awaits, as far as the dump shows.</summary>
public sealed class AwaitedTask
{
    internal AwaitedTask(ulong address, string description, string status, AwaitedTask? awaits, int? runningOnThread, bool continuationQueued)
    {
        Address = address;
        Description = description;
        Status = status;
        Awaits = awaits;
        RunningOnThread = runningOnThread;
        ContinuationQueued = continuationQueued;
    }

    /// <summary>Gets the task's address in the dump.</summary>
    public ulong Address { get; }

    /// <summary>Gets what the task is: <c>async method Orders.LoadAsync (at await #1)</c>, <c>Task.Delay</c>, <c>a TaskCompletionSource's task</c>, ...</summary>
    public string Description { get; internal set; }

    /// <summary>Gets the task's status (<c>WaitingForActivation</c>, <c>Running</c>, ...).</summary>
    public string Status { get; }

    /// <summary>Gets the unfinished task this one awaits, or null.</summary>
    public AwaitedTask? Awaits { get; }

    /// <summary>Gets the managed id of the thread running this task's code right now, or null.</summary>
    public int? RunningOnThread { get; }

    /// <summary>Gets whether the task's continuation sits in the thread pool's queues, waiting for a pool thread.</summary>
    public bool ContinuationQueued { get; }

    /// <summary>Gets, for <c>Task.WhenAll</c> and <c>Task.WhenAny</c>, the unfinished tasks it waits for (each with what it
    /// awaits in turn: the async stacks of the flows it joins); empty otherwise, or when the heap was not read.</summary>
    public IReadOnlyList<AwaitedTask> AwaitsAll { get; internal init; } = [];

    /// <summary>Gets, for a <c>SemaphoreSlim.WaitAsync</c> that found no free slot, the semaphore it waits on; otherwise null.</summary>
    public AsyncSemaphore? Semaphore { get; internal init; }

    /// <summary>Gets whether a <see cref="Semaphore"/> wait may end by itself: <c>WaitAsync</c> with a timeout or a
    /// <c>CancellationToken</c>.</summary>
    internal bool SemaphoreWaitMayEnd { get; init; }

    /// <summary>Gets whether a <see cref="Semaphore"/> wait that may end (<see cref="SemaphoreWaitMayEnd"/>) has no timeout
    /// and a <c>CancellationToken</c> whose source is not cancelled and has no cancellation timer (<c>CancelAfter</c>):
    /// it ends only if some code cancels that token.</summary>
    internal bool SemaphoreWaitEndsOnlyByCancel { get; init; }

    /// <summary>Gets, for the task of a <c>Parallel.ForEachAsync</c>, its unfinished workers (each awaiting a body: async
    /// flows the loop needs all of); empty otherwise.</summary>
    internal IReadOnlyList<AwaitedTask> LoopBodies { get; init; } = [];

    /// <summary>Gets whether this is an async method suspended at an await whose task has completed, yet the method has
    /// not resumed: its continuation was handed to a scheduler or a <c>SynchronizationContext</c> that has not run it.</summary>
    internal bool ResumptionPending { get; init; }

    /// <summary>Review 59: the task's code is running now on some thread (a delegate task invoked and not returned, an async
    /// method between two awaits), whether or not a thread's frames read show which.</summary>
    internal bool RunningNow { get; init; }

    /// <summary>Returns the chain: this task, then what it awaits.</summary>
    /// <returns>For example <c>async method Api.GetAsync (at await #0) → Task.Delay</c>.</returns>
    public override string ToString()
    {
        var text = Description;
        if (ContinuationQueued && !Description.Contains("queued", StringComparison.Ordinal))
        {
            text += " [continuation queued on the thread pool]";
        }
        else if (RunningOnThread is { } thread)
        {
            text += $" [running on thread #{thread}]";
        }

        if (AwaitsAll.Count > 0)
        {
            text += $" of {AwaitsAll.Count} unfinished task{(AwaitsAll.Count == 1 ? "" : "s")}";
        }

        return Awaits is null ? text : $"{text} → {Awaits}";
    }
}
