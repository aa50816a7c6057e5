namespace Brigade.Testing.Conformance;

/// <summary>One check of the engine conformance suite: what every engine must do in one situation.</summary>
public sealed class ConformanceCase
{
    internal ConformanceCase(string area, string name, string description, Func<CaseContext, Task> body, EngineCapabilities requires = EngineCapabilities.None, EngineCapabilities excludedBy = EngineCapabilities.None)
    {
        Area = area;
        Name = $"{area}.{name}";
        Description = description;
        Body = body;
        Requires = requires;
        ExcludedBy = excludedBy;
    }

    /// <summary>Gets the case's name, <c>Area.What_When_Then</c>; stable, used to run one case.</summary>
    public string Name { get; }

    /// <summary>Gets the area: Ordering, Failures, Cancellation, Sources, Report, Types, Resilience.</summary>
    public string Area { get; }

    /// <summary>Gets what the case checks, in a sentence.</summary>
    public string Description { get; }

    /// <summary>Gets the capabilities an engine needs for the case to apply (all of them).</summary>
    public EngineCapabilities Requires { get; }

    /// <summary>Gets the capabilities that make the case not apply (any of them): the case checks what such an engine does differently by design.</summary>
    public EngineCapabilities ExcludedBy { get; }

    internal Func<CaseContext, Task> Body { get; }

    /// <summary>Gets whether the case applies to an engine with <paramref name="capabilities"/>.</summary>
    /// <param name="capabilities">The engine's capabilities.</param>
    /// <returns>True when the engine has every required capability and none that excludes the case.</returns>
    public bool AppliesTo(EngineCapabilities capabilities) => (capabilities & Requires) == Requires && (capabilities & ExcludedBy) == 0;

    /// <summary>Returns the case's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}
