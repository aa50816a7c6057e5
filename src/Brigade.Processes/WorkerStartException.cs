namespace Brigade.Processes;

/// <summary>
/// A worker process could not be started or prepared: the worker host was not found, the runtime would not start
/// it, it did not answer the handshake in time, or it died before running any item. The message says which, with
/// the last lines of the worker's standard error when there are any.
/// </summary>
public sealed class WorkerStartException : Exception
{
    /// <summary>Initializes an instance with a default message.</summary>
    public WorkerStartException()
        : this("A worker process could not be started.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">Why the worker could not start.</param>
    public WorkerStartException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an instance with a message and the underlying error.</summary>
    /// <param name="message">Why the worker could not start.</param>
    /// <param name="innerException">The underlying error.</param>
    public WorkerStartException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
