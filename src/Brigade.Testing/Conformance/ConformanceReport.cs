namespace Brigade.Testing.Conformance;

/// <summary>What every applicable conformance case found for one engine.</summary>
public sealed class ConformanceReport
{
    internal ConformanceReport(IReadOnlyList<ConformanceResult> results) => Results = results;

    /// <summary>Gets one result per case, in the suite's order (including the cases that do not apply).</summary>
    public IReadOnlyList<ConformanceResult> Results { get; }

    /// <summary>Gets whether no case failed.</summary>
    public bool Passed => Results.All(r => r.Outcome != ConformanceOutcome.Failed);

    /// <summary>Gets the failed cases.</summary>
    public IEnumerable<ConformanceResult> Failures => Results.Where(r => r.Outcome == ConformanceOutcome.Failed);

    /// <summary>Throws <see cref="ConformanceFailedException"/> for the first failed case, its message listing every failure.</summary>
    /// <exception cref="ConformanceFailedException">A case failed.</exception>
    public void ThrowIfFailed()
    {
        var failures = Failures.ToList();
        if (failures.Count > 0)
        {
            throw new ConformanceFailedException(failures[0], $"{failures.Count} conformance case(s) failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        }
    }
}
