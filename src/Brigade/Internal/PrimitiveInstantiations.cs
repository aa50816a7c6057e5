using System.Diagnostics.CodeAnalysis;

namespace Brigade.Internal;

/// <summary>
/// Names the run pipeline's generic code over a few primitive types so that crossgen2 compiles it into Brigade.dll's
/// ReadyToRun image (build/ReadyToRun.targets). Never called: crossgen2 compiles every method of the assembly and, from
/// their bodies, the generic instantiations they call.
/// </summary>
/// <remarks>
/// A JIT-compiled application's first run over value types (<c>IWork&lt;long, long&gt;</c>) otherwise JIT-compiles
/// ~155 of Brigade's generic methods over them before its first result (docs/performance.md, issue 16): the image holds
/// the shared code for reference types, not code over an application's value types. An instantiation over CoreLib's
/// primitive types is the exception: crossgen2 places it in the image of the module that defines the generic when the
/// type parameter has no constraint (ReadyToRunCompilationModuleGroupBase.ComputeInstantiationVersionsWithCode), and the
/// runtime looks for it there. <c>string</c> stands for every reference type (<c>&lt;__Canon, long&gt;</c> is shared by
/// <c>string</c>, records and classes as input). The IL of these methods is never run; on a platform the image was not
/// compiled for, nothing changes.
/// </remarks>
[ExcludeFromCodeCoverage]
internal static class PrimitiveInstantiations
{
    /// <summary>The roots: the pairs an application most often runs (input, result).</summary>
    internal static void Root()
    {
        Pipeline<long, long>();
        Pipeline<int, int>();
        Pipeline<double, double>();
        Pipeline<string, long>();
        Pipeline<string, int>();
        Pipeline<string, double>();
        Pipeline<string, bool>();
        Pipeline<long, string>();
        Pipeline<int, string>();
    }

    // The entry points an application calls and the job's methods an engine calls (the process engine's loop is in
    // another assembly). An engine's ExecuteAsync is a generic virtual method, which crossgen2 does not follow even on an
    // exact type: the in-process engines' few methods over these pairs stay with the JIT, the process engine's run is
    // named in Brigade.Processes' counterpart.
    [SuppressMessage("Reliability", "CA2012", Justification = "Never called: the calls name code for crossgen2.")]
    private static void Pipeline<TIn, TOut>()
    {
        IEnumerable<TIn> items = null!;
        IWork<TIn, TOut> work = null!;
        IAsyncWork<TIn, TOut> asyncWork = null!;
        _ = Runner.StreamAsync(items, work);
        _ = Runner.StreamAsync(items, asyncWork);
        _ = Runner.MapAsync(items, work);
        _ = Runner.MapAsync(items, asyncWork);
        _ = Runner.MapReduceAsync(items, work, null!);

        // Most applications hand in a lambda: the same pipeline behind a delegate's work.
        Func<TIn, TOut> map = null!;
        Func<TIn, CancellationToken, ValueTask<TOut>> mapAsync = null!;
        _ = Runner.StreamAsync(items, map);
        _ = Runner.StreamAsync(items, mapAsync);
        _ = Runner.MapAsync(items, map);
        _ = Runner.MapAsync(items, mapAsync);
        _ = Runner.MapReduceAsync(items, map, null!);

        EngineJob<TIn, TOut> job = null!;
        EngineWorker worker = null!;
        _ = job.CreateWorker(default);
        _ = job.GetTimestamp();
        _ = job.DegreeOfParallelism;
        _ = job.TakeBatch(worker);
        _ = job.TakeBatchAsync(worker);
        _ = job.GetBatchSize(worker);
        _ = job.TakeBatch(worker, 1);
        _ = job.TakeBatchAsync(worker, 1);
        _ = job.CompleteBatchAsync(worker, default, 0, default, null, 0, null);
        job.ExecuteBatch(worker, default);
        _ = job.ExecuteBatchAsync(worker, default);
        job.Fail(null!);
    }
}
