namespace Brigade.Auto;

/// <summary>
/// The first batch of each of a run's first workers, kept aside: the workers race through the same methods, so those
/// batches pay for compiling the work and for cold caches. Used only when nothing else was measured.
/// </summary>
internal sealed class WarmupSample
{
    // Guards _sample: workers add their first batch while the controller reads it. A leaf: nothing is called under it.
    private readonly Lock _gate = new();
    private WorkSample _sample;

    /// <summary>Gets the warm-up batches measured so far.</summary>
    public WorkSample Value
    {
        get
        {
            lock (_gate)
            {
                return _sample;
            }
        }
    }

    /// <summary>Takes a warm-up batch (as <see cref="AutoWorker.Complete"/>'s divert): always true, it counts here only.</summary>
    public bool Divert(WorkSample sample)
    {
        lock (_gate)
        {
            _sample += sample;
        }

        return true;
    }
}
