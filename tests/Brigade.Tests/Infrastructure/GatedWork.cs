namespace Brigade.Tests.Infrastructure;

/// <summary>
/// Work whose gated items (0, stride, 2 × stride, ... : <c>inFlight</c> of them) park on gates until the test opens
/// them, so a test knows exactly which items are running when it cancels or fails a run. With the stride equal to the
/// batch size, each worker's first item is gated. Item 0 has a gate of its own, so a test can hold one item back
/// while the others finish. Other items return at once; a correct run never starts them.
/// </summary>
internal sealed class GatedWork
{
    private readonly int _inFlight;
    private readonly int _stride;
    private readonly TaskCompletionSource _allIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseOthers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _othersFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private int _running;
    private int _finished;
    private int _othersDone;

    public GatedWork(int inFlight, int stride = 1)
    {
        _inFlight = inFlight;
        _stride = stride;
        if (inFlight == 1)
        {
            _othersFinished.SetResult();
        }
    }

    /// <summary>Gets a task that completes when <c>inFlight</c> items are running at once.</summary>
    public Task AllIn => _allIn.Task;

    /// <summary>Gets a task that completes when every gated item but item 0 has finished.</summary>
    public Task OthersFinished => _othersFinished.Task;

    public int Started => Volatile.Read(ref _started);

    public int Running => Volatile.Read(ref _running);

    public int Finished => Volatile.Read(ref _finished);

    public void ReleaseFirst() => _releaseFirst.TrySetResult();

    public void ReleaseOthers() => _releaseOthers.TrySetResult();

    public int Run(int item)
    {
        Enter();
        try
        {
            if (IsGated(item))
            {
                GateOf(item).WaitBounded();
            }

            return item;
        }
        finally
        {
            Exit(item);
        }
    }

    public async ValueTask<int> RunAsync(int item, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            // The gate ignores the run's token on purpose: a running item must be allowed to finish normally.
            if (IsGated(item))
            {
                await GateOf(item).Bounded();
            }

            return item;
        }
        finally
        {
            Exit(item);
        }
    }

    private bool IsGated(int item) => item % _stride == 0 && item / _stride < _inFlight;

    private Task GateOf(int item) => item == 0 ? _releaseFirst.Task : _releaseOthers.Task;

    private void Enter()
    {
        Interlocked.Increment(ref _running);
        if (Interlocked.Increment(ref _started) == _inFlight)
        {
            _allIn.TrySetResult();
        }
    }

    private void Exit(int item)
    {
        Interlocked.Decrement(ref _running);
        Interlocked.Increment(ref _finished);
        if (item != 0 && IsGated(item) && Interlocked.Increment(ref _othersDone) == _inFlight - 1)
        {
            _othersFinished.TrySetResult();
        }
    }
}
