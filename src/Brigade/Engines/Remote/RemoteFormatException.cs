namespace Brigade.Engines.Remote;

/// <summary>Values on the wire were malformed: a length past the end, an unknown encoding, a count that does not match.
/// Each transport turns it into its own protocol error.</summary>
internal sealed class RemoteFormatException : Exception
{
    public RemoteFormatException()
    {
    }

    public RemoteFormatException(string message)
        : base(message)
    {
    }

    public RemoteFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
