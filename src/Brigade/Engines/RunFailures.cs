namespace Brigade.Engines;

/// <summary>
/// A run's failure accounting: every failed item (kept for the report), combine failures, items that did not run, and
/// the stop on the first failure under <see cref="FailureMode.StopOnFirstFailure"/>. Safe from any number of workers.
/// </summary>
internal sealed class RunFailures(FailureMode mode, CancellationTokenSource stop)
{
    // Guards _failures. A leaf: nothing is called under it.
    private readonly Lock _gate = new();
    private readonly List<ItemFailure> _failures = [];
    private long _combineFailures;
    private long _notRun;
    private int _stoppedOnFailure;

    public long CombineFailures => Volatile.Read(ref _combineFailures);

    public long NotRun => Volatile.Read(ref _notRun);

    public bool StoppedOnFailure => Volatile.Read(ref _stoppedOnFailure) != 0;

    /// <summary>An item failed in a batch running here: recorded with the run and in the batch's own list.</summary>
    public void Record(long index, Exception error, ref List<ItemFailure>? batch, int attempts = 1)
    {
        var failure = new ItemFailure(index, error) { Attempts = attempts };
        (batch ??= []).Add(failure);
        lock (_gate)
        {
            _failures.Add(failure);
        }

        OnFailed();
    }

    /// <summary>Items failed in a batch that ran elsewhere.</summary>
    public void Record(List<ItemFailure> failures)
    {
        lock (_gate)
        {
            _failures.AddRange(failures);
        }

        OnFailed();
    }

    /// <summary>Combining an item's result failed (map-reduce).</summary>
    /// <param name="index">The item whose value was left out.</param>
    /// <param name="error">What the combiner threw.</param>
    /// <param name="afterWorkers">The failure came in the final merge, once every worker had finished: there is nothing
    /// left to stop, so it does not count as a stop on the first failure.</param>
    public void RecordCombine(long index, Exception error, bool afterWorkers = false)
    {
        lock (_gate)
        {
            _failures.Add(new ItemFailure(index, error));
        }

        Interlocked.Increment(ref _combineFailures);
        if (!afterWorkers)
        {
            OnFailed();
        }
    }

    public void AddNotRun(int count) => Interlocked.Add(ref _notRun, count);

    /// <summary>Every failure so far, by index.</summary>
    public List<ItemFailure> Snapshot()
    {
        lock (_gate)
        {
            var copy = new List<ItemFailure>(_failures);
            copy.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            return copy;
        }
    }

    private void OnFailed()
    {
        if (mode == FailureMode.StopOnFirstFailure && Interlocked.Exchange(ref _stoppedOnFailure, 1) == 0)
        {
            stop.Cancel();
        }
    }
}
