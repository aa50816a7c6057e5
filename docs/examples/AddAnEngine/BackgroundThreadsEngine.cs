// The worked example of docs/architecture.md, "How to add an engine": compiled into Brigade.Cli.Tests, which resolves it
// through the CLI's engine registry and runs the conformance suite on it (tests/Brigade.Cli.Tests/Engines/AddAnEngineTests.cs).
// <snippet:BackgroundThreadsEngine>
using Brigade;
using Brigade.Engines;

namespace Contoso.Engines;

/// <summary>Dedicated threads on half the cores by default: batch work that leaves the others to the machine's interactive work.</summary>
public sealed class BackgroundThreadsEngine : Engine
{
    public override string Name => "background";

    public override int GetDefaultDegreeOfParallelism() => Math.Max(1, Environment.ProcessorCount / 2);

    protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        // The kit's worker limiter: at most DegreeOfParallelism threads, complete once the last has exited.
        var group = new WorkerGroup(job.DegreeOfParallelism);
        StartWorker(job, group);
        return group.Completion;
    }

    // A thread that cannot start fails the run only if no worker runs: the others carry on.
    private static void StartWorker<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group) =>
        group.TryStartThread("background-", id => Loop(job, group, id), job.Fail);

    private static void Loop<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group, int id)
    {
        try
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1), $"background {id}");
            while (job.TakeBatch(worker) is { IsEmpty: false } batch)
            {
                StartWorker(job, group);        // width follows the work: one more worker per batch taken
                job.ExecuteBatch(worker, batch); // runs the items: failures, cancellation, detectors, timeline
            }
        }
        catch (Exception e)
        {
            job.Fail(e);
        }
    }
}
// </snippet:BackgroundThreadsEngine>
