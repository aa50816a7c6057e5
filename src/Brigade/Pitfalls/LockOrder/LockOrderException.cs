namespace Brigade.Synchronization;

/// <summary>
/// Thrown, in <see cref="LockOrderMode.Throw"/> mode, by an acquisition that takes locks in the opposite order of an
/// earlier path: a potential deadlock. The acquisition did not happen.
/// </summary>
public sealed class LockOrderException : PitfallException
{
    /// <summary>Initializes the exception from a lock-order report.</summary>
    /// <param name="report">The inversion.</param>
    public LockOrderException(LockOrderReport report)
        : base(report ?? throw new ArgumentNullException(nameof(report)))
    {
        Inversion = report;
    }

    /// <summary>Initializes the exception with a message and no report.</summary>
    public LockOrderException()
        : this("Potential deadlock (lock-order inversion).")
    {
    }

    /// <summary>Initializes the exception with a message and no report.</summary>
    /// <param name="message">The message.</param>
    public LockOrderException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes the exception with a message, an inner exception and no report.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LockOrderException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the inversion: both acquisition paths.</summary>
    public LockOrderReport? Inversion { get; }
}
