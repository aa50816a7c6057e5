using System.Diagnostics.CodeAnalysis;

namespace Brigade.Processes.Internal;

/// <summary>
/// Names the process engine's generic code over a few primitive types so that crossgen2 compiles it into
/// Brigade.Processes.dll's ReadyToRun image (build/ReadyToRun.targets); Brigade.dll's own counterpart,
/// <c>Brigade.Internal.PrimitiveInstantiations</c>, names the pipeline's. Never called: crossgen2 compiles every method of
/// the assembly and, from their bodies, the generic instantiations they call.
/// </summary>
/// <remarks>
/// The pairs are the pipeline's (see there why only CoreLib's primitive types, and <c>string</c> for every reference
/// type). <see cref="ProcessEngine"/>'s <c>ExecuteAsync</c> is reached through a virtual call, which crossgen2 does not
/// follow: the run it creates is named here instead.
/// </remarks>
[ExcludeFromCodeCoverage]
internal static class PrimitiveInstantiations
{
    /// <summary>The roots: the pairs an application most often runs (input, result).</summary>
    internal static void Root()
    {
        Run<long, long>();
        Run<int, int>();
        Run<double, double>();
        Run<string, long>();
        Run<string, int>();
        Run<string, double>();
        Run<string, bool>();
        Run<long, string>();
        Run<int, string>();
    }

    private static void Run<TIn, TOut>()
    {
        ProcessWork.ForExecutable<TIn, TOut>(null!, null!).EnsureFits<TIn, TOut>();
        _ = new ProcessRun<TIn, TOut>(null!, null!, null!, null!, 0).Start();
    }
}
