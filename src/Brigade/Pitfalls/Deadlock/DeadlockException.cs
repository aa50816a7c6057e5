namespace Brigade.Synchronization;

/// <summary>
/// Thrown to the wait that would have closed a cycle of waiters: a real deadlock, refused instead of hanging.
/// </summary>
/// <remarks>
/// Only this waiter is refused; the others in the cycle keep waiting. Release what the refused flow holds (dispose its
/// scopes) and retry, as databases do with deadlock victims, or better, take the locks in one global order.
/// The message starts with <c>Deadlock detected:</c> and lists the cycle; <see cref="Deadlock"/> has it as data.
/// </remarks>
public sealed class DeadlockException : PitfallException
{
    /// <summary>Initializes the exception from a deadlock report.</summary>
    /// <param name="report">The deadlock.</param>
    public DeadlockException(DeadlockReport report)
        : base(report ?? throw new ArgumentNullException(nameof(report)))
    {
        Deadlock = report;
    }

    /// <summary>Initializes the exception with a message and no report.</summary>
    public DeadlockException()
        : this("Deadlock detected.")
    {
    }

    /// <summary>Initializes the exception with a message and no report.</summary>
    /// <param name="message">The message.</param>
    public DeadlockException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes the exception with a message, an inner exception and no report.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DeadlockException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the deadlock: the cycle of waiters, each with what it waits for and who holds it.</summary>
    public DeadlockReport? Deadlock { get; }
}
