namespace Brigade.TestSupport;

/// <summary>
/// Counts a run's progress calls (about ten a second while it runs, from its own timer): a test that checks that a run
/// has not ended yet waits for a few of the run's own ticks first, not a fixed time, so that on a loaded machine the run
/// has had the time a tick takes to end, had it been about to.
/// </summary>
internal sealed class ProgressTicks : IProgress<RunProgress>
{
    private int _count;

    /// <summary>Gets the number of progress calls so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public void Report(RunProgress value) => Interlocked.Increment(ref _count);

    /// <summary>Waits until <paramref name="more"/> calls came after this one, or <paramref name="run"/> ended (at most 60 s).</summary>
    public async Task WaitForMoreAsync(int more, Task run)
    {
        var target = Count + more;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Count < target && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Count >= target || run.IsCompleted, $"the run reported progress {Count} times in 60 s (waited for {target})");
    }
}
