namespace Brigade.Tests.Auto;

/// <summary>A one-worker engine whose items (<see cref="Hold"/>) wait until <see cref="Release"/>, so that a test can
/// drive auto mode's controller by hand while no worker finishes a batch or ticks.</summary>
internal abstract class HeldItemsEngine(string name) : Engine
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string Name => name;

    public override int GetDefaultDegreeOfParallelism() => 1;

    /// <summary>The item: waits for <see cref="Release"/> (at most 30 s), then returns its input.</summary>
    public int Hold(int i)
    {
        _ = _release.Task.Wait(TimeSpan.FromSeconds(30));
        return i;
    }

    /// <summary>Lets every held item finish.</summary>
    protected void Release() => _release.TrySetResult();
}
