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

    /// <summary>Gets the silos the run had lost when it failed, each as "name: why" (empty when none was seen to go: the client may have lost its way to them).</summary>
    public IReadOnlyList<string> LostSilos { get; init; } = [];

    /// <summary>Gets how many silos the run started on; 0 when it failed before choosing any.</summary>
    public int SiloCount { get; init; }

    /// <summary>Initializes an instance with a message and the underlying error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public ClusterUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
