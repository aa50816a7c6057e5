namespace Brigade.Testing;

/// <summary>What a test body explored by <see cref="Explorer"/> uses to start flows and yield.</summary>
public sealed class ExplorationContext
{
    private readonly Schedule _schedule;

    internal ExplorationContext(Schedule schedule) => _schedule = schedule;

    /// <summary>Starts <paramref name="body"/> as a new flow under the explorer's control (on a thread of its own, run one at a time).</summary>
    /// <param name="body">The flow's work; it should use Brigade's primitives and tracked variables to interact with the others.</param>
    /// <param name="name">A name for reports.</param>
    /// <returns>The flow; <see cref="ControlledTask.Join"/> waits for it.</returns>
    public ControlledTask Spawn(Action body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return _schedule.Spawn(body, name);
    }

    /// <summary>A scheduling point: another flow may run here.</summary>
    public void Yield() => _schedule.Yield();

    /// <summary>Fails the schedule with <paramref name="message"/> when <paramref name="condition"/> is false.</summary>
    /// <param name="condition">What must hold.</param>
    /// <param name="message">What went wrong.</param>
    /// <exception cref="InvalidOperationException"><paramref name="condition"/> is false.</exception>
    public static void Assert(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Assertion failed: " + message);
        }
    }
}
