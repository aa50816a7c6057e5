namespace Brigade.Testing.Conformance;

/// <summary>A check of a case did not hold; the suite turns it into a failed <see cref="ConformanceResult"/>.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);
