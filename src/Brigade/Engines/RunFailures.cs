namespace Brigade.Engines;

/// <summary>
/// A run's failure accounting: every failed item (kept for the report), combine failures, items that did not run, and
/// the stop on the first failure under <see cref="FailureMode.StopOnFirstFailure"/>. Safe from any number of workers.
/// </summary>
internal sealed class RunFailures(FailureMode mode, CancellationTokenSource stop)
{
    /// <summary>How many failures keep their own exception whatever it says; past them, a failure whose exception reads
    /// like one kept (<see cref="FailureReason"/>) shares that one.</summary>
    /// <remarks>1,000,000 items failing for one reason held 441 MB, almost all of it a million copies of one exception and
    /// its stack trace (review 46). Each failure keeps its index, attempts and reason; what it loses is an exception
    /// object of its own (and so its own stack trace, which for the same reason is nearly always the same).</remarks>
    internal const int KeptWhole = 1_000;

    // The most distinct reasons remembered for sharing: a run whose every failure says something else shares nothing,
    // and must not grow a second table beside its failures.
    private const int MaxReasons = 1_000;

    // Guards _failures and _reasons. A leaf: nothing is called under it (the reasons are read before it is taken: an
    // exception's Message is the application's code).
    private readonly Lock _gate = new();
    private readonly List<ItemFailure> _failures = [];
    private Dictionary<FailureReason, Exception>? _reasons;
    private long _combineFailures;
    private long _notRun;
    private int _stoppedOnFailure;

    public long CombineFailures => Volatile.Read(ref _combineFailures);

    public long NotRun => Volatile.Read(ref _notRun);

    public bool StoppedOnFailure => Volatile.Read(ref _stoppedOnFailure) != 0;

    /// <summary>An item failed in a batch running here: recorded with the run and in the batch's own list.</summary>
    public void Record(long index, Exception error, ref List<ItemFailure>? batch, int attempts = 1)
    {
        // Read before the lock: an exception's Message is the application's code.
        var reason = FailureReason.Of(error);
        ItemFailure failure;
        lock (_gate)
        {
            failure = new ItemFailure(index, Shared(error, reason)) { Attempts = attempts };
            _failures.Add(failure);
        }

        (batch ??= []).Add(failure);
        OnFailed();
    }

    /// <summary>Items failed in a batch that ran elsewhere; the list's entries are replaced by the ones kept, which may
    /// share an earlier failure's exception.</summary>
    public void Record(List<ItemFailure> failures)
    {
        var reasons = new FailureReason?[failures.Count];
        for (var i = 0; i < reasons.Length; i++)
        {
            reasons[i] = FailureReason.Of(failures[i].Exception);
        }

        lock (_gate)
        {
            for (var i = 0; i < failures.Count; i++)
            {
                var shared = Shared(failures[i].Exception, reasons[i]);
                if (!ReferenceEquals(shared, failures[i].Exception))
                {
                    failures[i] = failures[i] with { Exception = shared };
                }

                _failures.Add(failures[i]);
            }
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

    // Call holding _gate.
    private Exception Shared(Exception error, FailureReason? reason)
    {
        if (reason is not { } key)
        {
            return error;
        }

        _reasons ??= [];
        if (_failures.Count >= KeptWhole && _reasons.TryGetValue(key, out var kept))
        {
            return kept;
        }

        if (_reasons.Count < MaxReasons)
        {
            _reasons.TryAdd(key, error);
        }

        return error;
    }

    private void OnFailed()
    {
        if (mode == FailureMode.StopOnFirstFailure && Interlocked.Exchange(ref _stoppedOnFailure, 1) == 0)
        {
            stop.Cancel();
        }
    }
}
