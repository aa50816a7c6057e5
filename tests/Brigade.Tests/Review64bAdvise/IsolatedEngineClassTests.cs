using System.Diagnostics;
using Brigade.Auto;

namespace Brigade.Tests.Review64bAdvise;

/// <summary>
/// Auto mode hands work that asks for isolation to its isolated engine and classes it from that engine's figures. A
/// stand-in for worker processes (no process started): each batch's results arrive 20 ms after it was sent (the pipe, as the
/// host sees it), while the worker reports 1 ms of CPU over 1 ms of its own time on it. Before review 64b the host's 20 ms
/// was the wall and the work read as blocking I/O.
/// </summary>
public sealed class IsolatedEngineClassTests
{
    [Fact]
    public async Task WorkTheWorkersRanOnTheCpu_IsCpuBound_HoweverLongThePipeTook()
    {
        var options = new AutoEngineOptions { UsePlanCache = false, IsolatedEngine = new PipeEngine() };

        var result = await Runner.MapAsync(Enumerable.Range(0, 40).ToArray(), x => x, new RunOptions { Engine = Engine.CreateAuto(options) })
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(WorkloadClass.CpuBound, Assert.Single(result.Report.Plans).Class);
        Assert.Contains("measured CPU-bound", result.Report.Plan, StringComparison.Ordinal);
    }

    /// <summary>Runs nothing itself: every batch "comes back" at least 20 ms after it was sent, with the worker's own figures.</summary>
    private sealed class PipeEngine : Engine
    {
        public override string Name => "pipe";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(10), "process 1");
            var pipe = TimeSpan.FromMilliseconds(20);
            while (job.TakeBatch(worker, 10) is { IsEmpty: false } batch)
            {
                var sent = job.GetTimestamp();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < pipe)
                {
                    await Task.Delay(pipe - clock.Elapsed).ConfigureAwait(false);
                }

                worker.RecordRemoteBusy(TimeSpan.FromMilliseconds(1));
                await job.CompleteBatchAsync(worker, batch, batch.Count, new TOut[batch.Count], null, sent, TimeSpan.FromMilliseconds(1)).ConfigureAwait(false);
            }
        }
    }
}
