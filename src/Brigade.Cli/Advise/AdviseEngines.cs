using Brigade.Auto;
using Brigade.Workloads;

namespace Brigade.Cli.Advise;

/// <summary>
/// What <c>brigade advise --engines</c> leaves auto mode: the in-process engines named, among which it plans
/// (<see cref="AutoEngineOptions.Engines"/>: a plan on another engine runs on a stand-in and says so), or, with worker
/// processes alone, worker processes (its isolated engine). One list for the measured auto engine
/// (<c>AdviseCommand</c>) and for the warm-up of a user's work (<see cref="UserWorkload"/>), which repeated it (review 66).
/// </summary>
internal static class AdviseEngines
{
    /// <summary>The name <c>--engines</c> gives worker processes.</summary>
    public const string Processes = "processes";

    /// <summary>The engines auto plans among under <c>--engines</c>: the in-process ones named, else worker processes alone.</summary>
    /// <param name="engines">The engines <c>--engines</c> named.</param>
    public static List<string> AutoPlansOn(IReadOnlyList<string> engines) =>
        engines.Any(e => e != Processes) ? [.. engines.Where(e => e != Processes)] : [Processes];

    /// <summary>Whether auto runs the work in this process under <c>--engines</c> (null: every engine): false when it names
    /// worker processes alone.</summary>
    /// <param name="engines">The engines <c>--engines</c> named, or null.</param>
    public static bool AutoRunsInProcess(IReadOnlyList<string>? engines) => engines is null || AutoPlansOn(engines) is not [Processes];

    /// <summary>The auto engine that runs the work in this process, planning among the engines <c>--engines</c> allows
    /// (every one when null), or null when auto runs it on worker processes alone.</summary>
    /// <param name="engines">The engines <c>--engines</c> named, or null.</param>
    public static Engine? InProcessAuto(IReadOnlyList<string>? engines) =>
        engines is null ? WorkloadComparison.CreateAutoEngine()
        : AutoRunsInProcess(engines) ? Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, Engines = AutoPlansOn(engines) })
        : null;
}
