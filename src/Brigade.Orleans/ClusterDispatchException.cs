namespace Brigade.Orleans;

/// <summary>
/// The failure recorded for an item whose batch could not be completed on any silo after every attempt: the silos
/// tried and why each attempt failed (the silo left the cluster, the call failed).
/// </summary>
/// <remarks>Failures thrown by the work itself are <see cref="RemoteWorkException"/>s, not this.</remarks>
public sealed class ClusterDispatchException : Exception
{
    /// <summary>Initializes an instance.</summary>
    public ClusterDispatchException()
        : this("The item could not be run on any silo.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ClusterDispatchException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Initializes an instance with a message and the last attempt's exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last attempt's exception.</param>
    public ClusterDispatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Initializes an instance that lists every attempt.</summary>
    /// <param name="message">The message.</param>
    /// <param name="attempts">One line per attempt: the silo and the cause.</param>
    /// <param name="innerException">The last attempt's exception.</param>
    public ClusterDispatchException(string message, IReadOnlyList<string> attempts, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        Attempts = attempts;
    }

    /// <summary>Gets one line per attempt: the silo and the cause.</summary>
    public IReadOnlyList<string> Attempts { get; }
}
