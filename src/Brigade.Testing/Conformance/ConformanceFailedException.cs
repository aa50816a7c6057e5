namespace Brigade.Testing.Conformance;

/// <summary>An engine did not do what a conformance case asks: thrown by <see cref="ConformanceResult.ThrowIfFailed"/> and <see cref="ConformanceReport.ThrowIfFailed"/>.</summary>
public sealed class ConformanceFailedException : Exception
{
    /// <summary>Initializes an exception.</summary>
    public ConformanceFailedException()
    {
    }

    /// <summary>Initializes an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ConformanceFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConformanceFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ConformanceFailedException(ConformanceResult result, string message)
        : base(message, result.Exception)
    {
        Result = result;
    }

    /// <summary>Gets the failed case's result, when thrown by the suite.</summary>
    public ConformanceResult? Result { get; }
}
