namespace Brigade.Testing.Conformance;

/// <summary>How a conformance case ended.</summary>
public enum ConformanceOutcome
{
    /// <summary>The engine did what the case asks.</summary>
    Passed,

    /// <summary>The engine did not; <see cref="ConformanceResult.Message"/> says what differed.</summary>
    Failed,

    /// <summary>The case needs a capability the engine does not have (<see cref="ConformanceCase.Requires"/>).</summary>
    NotApplicable,
}
