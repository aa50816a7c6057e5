using Brigade.Auto;

namespace Brigade.Tests.Review29a;

/// <summary>The in-process engines, by name, for theories.</summary>
internal static class EngineNames
{
    public static readonly string[] All = ["sequential", "threadpool", "threads", "async", "auto"];

    public static Engine Create(string name) =>
        name == "auto" ? Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false })
        : Engine.TryGetBuiltIn(name, out var engine) ? engine
        : throw new ArgumentException(name, nameof(name));
}
