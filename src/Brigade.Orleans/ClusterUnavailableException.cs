namespace Brigade.Orleans;

/// <summary>The cluster cannot run the run: no silo is reachable, none accepts the work type, or every silo left mid-run.</summary>
/// <remarks>Items that could not run are counted as not run in the run's report; none is lost silently.</remarks>
public sealed class ClusterUnavailableException : Exception
{
    /// <summary>Initializes an instance.</summary>
    public ClusterUnavailableException()
        : this("No silo of the cluster can run the work.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ClusterUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an instance with a message and the underlying error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public ClusterUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
