namespace Brigade.Cli.Run;

/// <summary>Live counts of a <c>brigade run</c>, written by the delivery loop and read by the progress display.</summary>
internal sealed class RunCounters
{
    private long _delivered;
    private long _failed;

    // -1: unknown. Set before the run (the count of a regular file's items) and again at the input's end (the items read),
    // while the progress view reads it: one long, never torn.
    private long _total = -1;

    /// <summary>Gets or sets the input's number of items, or null when it is not known.</summary>
    public long? Total
    {
        get => Volatile.Read(ref _total) is var total and >= 0 ? total : null;
        set => Volatile.Write(ref _total, value ?? -1);
    }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public long Delivered => Volatile.Read(ref _delivered);

    public long Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// Gets the items running now: the engine's last count, less the results delivered since it was taken (review 72).
    /// </summary>
    /// <remarks>The engine's count comes on its progress ticks, the deliveries as they happen: an item delivered after the
    /// tick was still counted running, and "16 done, 0 failed, 5 running" of a 20-line file (21 of 20) dropped the total,
    /// the percent and the ETA as if the file had grown. The engine's count and its finished items are kept together
    /// (<see cref="SetRunning(long, long)"/>), and every result the engine has delivered past those finished ones is an
    /// item no longer running; so done plus running never passes the items the engine had taken, nor a regular file's
    /// count. Read <see cref="Delivered"/> before this (as <see cref="ProgressView"/> does): a result is counted here
    /// (<see cref="OnEngineResult"/>) before it is counted delivered.</remarks>
    public long Running
    {
        get
        {
            var engine = Volatile.Read(ref _engine);
            var pastTick = engine.Completed is { } completed ? Math.Max(0, Volatile.Read(ref _engineResults) - completed) : 0;
            return Math.Max(0, engine.Running - pastTick);
        }
    }

    // The engine's last progress tick, its two counts read together (one reference, never torn); Completed null when
    // the count came alone (no correction for the deliveries since).
    private EngineCount _engine = new(0, null);

    // Results the engine handed back and the delivery loop took, counted before each is delivered.
    private long _engineResults;

    private sealed record EngineCount(long Running, long? Completed);

    public long ResumedFrom { get; set; }

    /// <summary>Gets how many items of this run needed more than one attempt (<c>--retries</c>), failed or not.</summary>
    public long Retried { get; private set; }

    /// <summary>Gets how many attempts those retried items took in all.</summary>
    public long RetriedAttempts { get; private set; }

    /// <summary>Counts an item that ran <paramref name="attempts"/> times (delivery loop only).</summary>
    public void OnAttempts(int attempts)
    {
        if (attempts > 1)
        {
            Retried++;
            RetriedAttempts += attempts;
        }
    }

    public void OnDelivered(bool failed)
    {
        Interlocked.Increment(ref _delivered);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>Sets the items running, counted alone (no finished count to correct it with).</summary>
    public void SetRunning(long running) => Volatile.Write(ref _engine, new EngineCount(running, null));

    /// <summary>Sets the engine's progress tick: the items running and the items it had finished when it counted them.</summary>
    public void SetRunning(long running, long completed) => Volatile.Write(ref _engine, new EngineCount(running, completed));

    /// <summary>Counts a result the engine handed back, before it is delivered (delivery loop only).</summary>
    public void OnEngineResult() => Interlocked.Increment(ref _engineResults);

    // The job's failure reasons, counted by their first line, for the summary's "all with …" (review 54: 1,000 items of a
    // missing program said "1,000 failed (see FILE)" and nothing of why): this run's, and on --resume the earlier runs'
    // as far as they can be read back (run59: a resumed run compared this run's alone with the job's count).
    private readonly FailureReasons _reasons = new();

    /// <summary>Counts a failure of this run by its reason (delivery loop only).</summary>
    public void OnFailure(string error) => _reasons.Add(error);

    /// <summary>Counts the reasons of failures an earlier run delivered (before the run; their count is in <see cref="Failed"/>).</summary>
    public void OnEarlierFailures(FailureReasons reasons) => _reasons.Add(reasons);

    /// <summary>
    /// Gets the reason most of the job's failures share (at least two, and at least half of every failure counted in
    /// <see cref="Failed"/>, an earlier run's whose reason could not be read back included), with how many, and whether
    /// every failure of the job has it; null when none does.
    /// </summary>
    public (string Reason, long Count, bool All)? CommonFailure() =>
        _reasons.Top() is { } top && top.Count >= 2 && top.Count * 2 >= Failed ? (top.Reason, top.Count, top.Count == Failed) : null;

    /// <summary>
    /// Gets what the ordered output waits for: the input line of the item every later result is held behind, how long it
    /// has waited and how many results wait with it; null when nothing is held back (or the run is unordered).
    /// </summary>
    public OrderedStall? Stall => Volatile.Read(ref _stall);

    private OrderedStall? _stall;

    /// <summary>Sets (or, with null, clears) what the ordered output waits for (the engine's progress callback).</summary>
    public void SetStall(OrderedStall? stall) => Volatile.Write(ref _stall, stall);
}
