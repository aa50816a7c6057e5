using System.Runtime.CompilerServices;

namespace Brigade.Processes.Tests;

/// <summary>
/// Turns the runtime's call counting off for every process these tests start (the worker processes above all), as soon
/// as the test assembly loads: a worker of these tests lives for a few batches, and call counting had it compile its hot
/// methods a second time, optimized, in the background, for a run that ends before it pays off (the product's long
/// <c>brigade run</c> turns it off for the same reason: RunRestart). Nothing here is about the JIT; the workers compute
/// the same. The whole project, alternated on a quiet machine (review 57, load 1-1.4): 68.2 and 65.9 s of CPU with it on,
/// 57.1 and 58.9 s with it off (wall 110-115 -> 100-102 s). A variable already set (to measure the difference) is left as it is. The test host itself
/// started before this runs and keeps its own settings.
/// </summary>
internal static class ShortLivedChildren
{
    public const string Variable = "DOTNET_TC_CallCounting";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "A test assembly: the variable must be set before any test starts a process.")]
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "0");
        }
    }
}
