using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>A <c>SemaphoreSlim</c> with async waiters, as read from the heap: its counts and its queued <c>WaitAsync</c>s.</summary>
internal sealed class SemaphoreInfo(ClrObject semaphore, int currentCount, int maxCount)
{
    public ClrObject Object { get; } = semaphore;

    public int CurrentCount { get; } = currentCount;

    /// <summary>Gets the maximum count (<c>int.MaxValue</c> when the constructor was given none), or -1 when unread.</summary>
    public int MaxCount { get; } = maxCount;

    /// <summary>Gets the queued async waiters (<c>TaskNode</c>s), first come first.</summary>
    public List<ulong> AsyncWaiters { get; } = [];

    /// <summary>Gets or sets what in the program holds it (<c>static field Shop.Gate</c>), when found.</summary>
    public string? HeldIn { get; set; }

    /// <summary>Gets or sets whether its text shows its address (another semaphore has the same <see cref="HeldIn"/>).</summary>
    public bool ShowAddress { get; set; }

    /// <summary>Gets the public view, made once.</summary>
    public AsyncSemaphore Public => _public ??= new AsyncSemaphore(new WaitObject(Object.Address, Object.Type?.Name ?? "System.Threading.SemaphoreSlim", HeldIn),
        CurrentCount, MaxCount is < 0 or int.MaxValue ? null : MaxCount, AsyncWaiters.Count) { ShowAddress = ShowAddress };

    private AsyncSemaphore? _public;
}
