namespace Brigade.Doctor;

/// <summary>A <c>SemaphoreSlim</c> that async flows await (<c>WaitAsync</c> with no free slot): the object, its free slots
/// and its queued async waiters. A <c>SemaphoreSlim(1, 1)</c> is the usual "async lock".</summary>
public sealed class AsyncSemaphore
{
    internal AsyncSemaphore(WaitObject target, int currentCount, int? maxCount, int asyncWaiters)
    {
        Target = target;
        CurrentCount = currentCount;
        MaxCount = maxCount;
        AsyncWaiters = asyncWaiters;
    }

    /// <summary>Gets the semaphore object and what in the program holds it.</summary>
    public WaitObject Target { get; }

    /// <summary>Gets or sets whether the text shows the address beside the holder (two semaphores held alike).</summary>
    internal bool ShowAddress { get; init; }

    /// <summary>Gets its free slots (<c>CurrentCount</c>) when the dump was taken.</summary>
    public int CurrentCount { get; }

    /// <summary>Gets its maximum count, or null when it was created without one.</summary>
    public int? MaxCount { get; }

    /// <summary>Gets how many <c>WaitAsync</c> calls wait in its queue.</summary>
    public int AsyncWaiters { get; }

    /// <summary>Returns the semaphore, its count and its waiters.</summary>
    /// <returns>For example <c>SemaphoreSlim (field Shop._stock), count 0 of 1, 1 async waiter</c>.</returns>
    public override string ToString()
    {
        var type = Target.TypeName.Replace("System.Threading.", "", StringComparison.Ordinal);
        var held = Target.HeldIn is null ? $" @{Target.Address:x}" : ShowAddress ? $" ({Target.HeldIn}) @{Target.Address:x}" : $" ({Target.HeldIn})";
        var count = MaxCount is { } max ? $"count {CurrentCount} of {max}" : $"count {CurrentCount}";
        return $"{type}{held}, {count}, {AsyncWaiters} async waiter{(AsyncWaiters == 1 ? "" : "s")}";
    }
}
