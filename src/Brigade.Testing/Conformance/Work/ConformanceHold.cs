namespace Brigade.Testing.Conformance.Work;

/// <summary>What a <see cref="ConformanceItem"/> waits for once it has started.</summary>
public enum ConformanceHold
{
    /// <summary>Nothing: the item runs through.</summary>
    None,

    /// <summary>Until the case releases it (or all items) through its gate.</summary>
    UntilReleased,

    /// <summary>Until <see cref="ConformanceItem.HoldCount"/> items of the gate have started.</summary>
    UntilStarted,

    /// <summary>Until the run stops (its token trips), then it finishes normally; asynchronous work only.</summary>
    UntilStopped,

    /// <summary>Until the run stops, then it throws the run's <see cref="OperationCanceledException"/>: it did not finish; asynchronous work only.</summary>
    UntilStoppedThenCancelled,
}
