namespace Brigade.Testing.Conformance;

/// <summary>What one conformance case found.</summary>
public sealed class ConformanceResult
{
    internal ConformanceResult(ConformanceCase @case, ConformanceOutcome outcome, string? message, Exception? exception, TimeSpan duration)
    {
        Case = @case;
        Outcome = outcome;
        Message = message;
        Exception = exception;
        Duration = duration;
    }

    /// <summary>Gets the case.</summary>
    public ConformanceCase Case { get; }

    /// <summary>Gets how it ended.</summary>
    public ConformanceOutcome Outcome { get; }

    /// <summary>Gets what differed (the variant, the expectation and what the engine did), or why the case does not apply.</summary>
    public string? Message { get; }

    /// <summary>Gets the unexpected exception that failed the case, when one did.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets how long the case ran.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Throws <see cref="ConformanceFailedException"/> when the case failed.</summary>
    /// <exception cref="ConformanceFailedException">The case failed.</exception>
    public void ThrowIfFailed()
    {
        if (Outcome == ConformanceOutcome.Failed)
        {
            throw new ConformanceFailedException(this, ToString());
        }
    }

    /// <summary>Returns the case's name, outcome and message.</summary>
    /// <returns>One line, such as <c>Ordering.Map_AnyInput_ResultsInInputOrder: Failed: ...</c>.</returns>
    public override string ToString() => $"{Case.Name}: {Outcome}{(Message is null ? "" : ": " + Message)}";
}
