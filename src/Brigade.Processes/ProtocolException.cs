namespace Brigade.Processes;

/// <summary>
/// A frame on the channel between the host and a worker process was malformed, truncated while the worker lived,
/// out of order, or from an incompatible protocol version. The run stops with this error instead of waiting.
/// </summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Initializes an instance with a default message.</summary>
    public ProtocolException()
        : this("The worker process broke the Brigade protocol.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">What was wrong with the frame.</param>
    public ProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an instance with a message and the error that revealed the problem.</summary>
    /// <param name="message">What was wrong with the frame.</param>
    /// <param name="innerException">The underlying error.</param>
    public ProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
