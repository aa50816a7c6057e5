namespace Brigade.Testing;

/// <summary>Thrown by <see cref="ExplorationResult.ThrowIfBugFound"/>: the message has the report and the seed that replays it.</summary>
public sealed class ExplorationFailedException : Exception
{
    /// <summary>Initializes an exception with a message.</summary>
    public ExplorationFailedException()
    {
    }

    /// <summary>Initializes an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ExplorationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ExplorationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ExplorationFailedException(ExplorationBug bug)
        : base(bug.ToString())
    {
        Bug = bug;
    }

    /// <summary>Gets the bug, when thrown by <see cref="ExplorationResult.ThrowIfBugFound"/>.</summary>
    public ExplorationBug? Bug { get; }
}
