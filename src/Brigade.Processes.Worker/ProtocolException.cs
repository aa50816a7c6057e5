namespace Brigade.Processes;

/// <summary>The worker's own copy of the protocol error (the host's is public in Brigade.Processes).</summary>
internal sealed class ProtocolException : Exception
{
    public ProtocolException(string message)
        : base(message)
    {
    }

    public ProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
