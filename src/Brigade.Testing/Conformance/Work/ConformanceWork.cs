using Brigade.Testing.Conformance.Gates;

namespace Brigade.Testing.Conformance.Work;

/// <summary>What every conformance work type does with an item: report to its gate, hold, fail or compute.</summary>
internal static class ConformanceWork
{
    /// <summary>The longest any item waits on a gate: a bug fails the item rather than hanging the case.</summary>
    /// <remarks>As long as <see cref="CaseContext.Bound"/>, which it must not exceed: the item fails before its case stops waiting.</remarks>
    public static readonly TimeSpan Bound = CaseContext.Bound;

    public static int Result(int value) => (value * 3) + 1;

    public static int Run(ConformanceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var gate = Gate.Open(item.Gate);
        gate?.OnStarted(item.Value);
        try
        {
            switch (item.Hold)
            {
                case ConformanceHold.UntilReleased:
                case ConformanceHold.UntilStopped:
                case ConformanceHold.UntilStoppedThenCancelled:
                    gate?.WaitReleased(item.Value, Bound);
                    break;
                case ConformanceHold.UntilStarted:
                    gate?.WaitStarted(item.HoldCount, Bound);
                    break;
                default:
                    break;
            }

            if (item.SleepMilliseconds > 0)
            {
                Thread.Sleep(item.SleepMilliseconds);
            }

            FailIfTransient(item, gate);
            return Finish(item);
        }
        finally
        {
            gate?.OnFinished(item.Value);
        }
    }

    public static async ValueTask<int> RunAsync(ConformanceItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var gate = Gate.Open(item.Gate);
        gate?.OnStarted(item.Value);
        try
        {
            // Really asynchronous on every other item, so both the synchronous and the awaited paths are taken.
            if (item.Value % 2 == 0)
            {
                await Task.Yield();
            }

            switch (item.Hold)
            {
                case ConformanceHold.UntilReleased:
                    // The gate ignores the run's token on purpose: a running item must be allowed to finish normally.
                    if (gate is not null)
                    {
                        await gate.WaitReleasedAsync(item.Value, Bound).ConfigureAwait(false);
                    }

                    break;
                case ConformanceHold.UntilStarted:
                    if (gate is not null)
                    {
                        await gate.WaitStartedAsync(item.HoldCount, Bound).ConfigureAwait(false);
                    }

                    break;
                case ConformanceHold.UntilStopped:
                    await WhenStoppedAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case ConformanceHold.UntilStoppedThenCancelled:
                    await Task.Delay(Bound, cancellationToken).ConfigureAwait(false);
                    throw new TimeoutException($"item {item.Value}: the run never stopped");
                default:
                    break;
            }

            if (item.SleepMilliseconds > 0)
            {
                await Task.Delay(item.SleepMilliseconds, cancellationToken).ConfigureAwait(false);
            }

            FailIfTransient(item, gate);
            return Finish(item);
        }
        finally
        {
            gate?.OnFinished(item.Value);
        }
    }

    private static void FailIfTransient(ConformanceItem item, Gate? gate)
    {
        if (item.FailRuns > 0 && (gate is null || gate.StartsOf(item.Value) <= item.FailRuns))
        {
            throw new InvalidOperationException($"item {item.Value} broke");
        }
    }

    private static int Finish(ConformanceItem item)
    {
        if (item.Fail)
        {
            throw new InvalidOperationException($"item {item.Value} broke");
        }

        if (item.Spin > 0)
        {
            Thread.SpinWait(item.Spin);
        }

        return Result(item.Value);
    }

    private static async Task WhenStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Bound, cancellationToken).ConfigureAwait(false);
            throw new TimeoutException("the run never stopped");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the item goes on and finishes normally.
        }
    }
}
