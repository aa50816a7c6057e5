using Brigade.Testing.Conformance;

namespace Brigade.Testing.Tests.Review50;

/// <summary>
/// Review 50: no case of the kit had an item still running more than a second after a run's own stop (review 48's
/// leftover), so an engine that abandoned such an item (review 47's one-second abandon, applied to
/// <see cref="FailureMode.StopOnFirstFailure"/>: the item's result dropped) passed the kit. The new case keeps items
/// running two seconds past the stop; an engine with that bug fails it, the reference engine passes it
/// (<c>EngineConformanceTests.ReferenceEngine_PassesEveryCase</c>).
/// </summary>
public sealed class RunningPastTheStopTests
{
    private const string Case = "Failures.StopOnFirstFailure_ItemsRunningWellPastTheStop_FinishAndKeepTheirResults";

    [Fact(Timeout = 120_000)]
    public async Task AnEngineThatAbandonsRunningItemsASecondAfterAStop_FailsTheCase()
    {
        var result = await EngineConformance.RunAsync(Case, () => new AbandonsAfterStop());

        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        var ex = Assert.Throws<ConformanceFailedException>(result.ThrowIfFailed);
        Assert.Contains("failed indexes", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Broken: runs work types itself (as remote engines do, here in this process) and, once the run has stopped, waits
    /// a second for an item still running and then fails it as abandoned, as review 47's engines did on every stop.
    /// </summary>
    private sealed class AbandonsAfterStop : Engine
    {
        private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

        public override string Name => "abandons-after-stop";

        public override EngineCapabilities Capabilities => EngineCapabilities.InProcess;

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Run(() => LoopAsync(job, id))));

        private static async Task LoopAsync<TIn, TOut>(EngineJob<TIn, TOut> job, int id)
        {
            try
            {
                var instance = Activator.CreateInstance(job.WorkType ?? throw new NotSupportedException("work types only"))!;
                var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1), $"worker {id}");
                while (true)
                {
                    var batch = await job.TakeBatchAsync(worker);
                    if (batch.IsEmpty)
                    {
                        break;
                    }

                    var start = job.GetTimestamp();
                    var values = new TOut[batch.Count];
                    List<ItemFailure>? failures = null;
                    var ran = 0;
                    for (; ran < batch.Count && !job.CancellationToken.IsCancellationRequested; ran++)
                    {
                        var index = batch.StartIndex + ran;
                        try
                        {
                            var item = batch.Items.Span[ran];
                            var task = instance is IWork<TIn, TOut> sync ? Task.FromResult(sync.Execute(item)) : ((IAsyncWork<TIn, TOut>)instance).ExecuteAsync(item, job.CancellationToken).AsTask();

                            // The bug: a stop, like a caller's cancel, gives a running item a second and then abandons it.
                            var abandon = Task.Delay(Timeout.InfiniteTimeSpan, job.CancellationToken).ContinueWith(_ => Task.Delay(Grace), TaskScheduler.Default).Unwrap();
                            if (await Task.WhenAny(task, abandon) != task)
                            {
                                _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                                throw new TimeoutException($"item {index} abandoned a second after the run stopped");
                            }

                            values[ran] = await task;
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            (failures ??= []).Add(new ItemFailure(index, e));
                        }
                    }

                    await job.CompleteBatchAsync(worker, batch, ran, values, failures, start, cpuTime: null);
                }
            }
            catch (Exception e)
            {
                job.Fail(e);
            }
        }
    }
}
