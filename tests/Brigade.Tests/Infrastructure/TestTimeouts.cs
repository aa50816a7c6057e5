namespace Brigade.Tests.Infrastructure;

/// <summary>Bounds for every wait in the suite, so a bug fails a test instead of hanging it.</summary>
/// <remarks>xunit 2 honours <c>[Fact(Timeout = ...)]</c> only without parallelization, so tests bound their own waits.</remarks>
internal static class TestTimeouts
{
    /// <summary>Far longer than any correct test needs, even on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Waits for <paramref name="task"/>, failing with <see cref="TimeoutException"/> after <see cref="Generous"/>.</summary>
    public static Task Bounded(this Task task) => task.WaitAsync(Generous);

    /// <inheritdoc cref="Bounded(Task)"/>
    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Generous);

    /// <summary>Blocks on a gate from synchronous work; throws (failing the item) instead of waiting forever.</summary>
    public static void WaitBounded(this Task gate)
    {
        if (!gate.Wait(Generous))
        {
            throw new TimeoutException("A test gate never opened.");
        }
    }
}
