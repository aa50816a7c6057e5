namespace Brigade.Testing.Conformance;

/// <summary>Where the cases' items meet the case: how a case holds items back and counts them.</summary>
public enum ConformanceGates
{
    /// <summary>In memory for an engine that runs items in this process (<see cref="EngineCapabilities.InProcess"/>), as files otherwise.</summary>
    Auto,

    /// <summary>In this process's memory: in-process engines, and clusters whose silos are hosted in this process.</summary>
    InMemory,

    /// <summary>As files in <see cref="ConformanceOptions.ScratchDirectory"/>: items that run in other processes of this machine.</summary>
    Files,
}
