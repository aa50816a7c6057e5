namespace Brigade.Testing.Tests.Conformance;

/// <summary>
/// Engines written against the public engine contract only, as a third party would: one that is correct, and three
/// that each break one promise the conformance suite checks.
/// </summary>
internal static class TestEngines
{
    /// <summary>A plain, correct engine: one task per worker, each takes and runs batches until the input ends.</summary>
    public sealed class Reference : Engine
    {
        public override string Name => "reference";

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Run(() => LoopAsync(job, id))));

        internal static async Task LoopAsync<TIn, TOut>(EngineJob<TIn, TOut> job, int id, Func<ItemBatch<TIn>, bool>? drop = null)
        {
            try
            {
                var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1), $"worker {id}");
                while (true)
                {
                    var batch = await job.TakeBatchAsync(worker);
                    if (batch.IsEmpty)
                    {
                        break;
                    }

                    if (drop?.Invoke(batch) != true)
                    {
                        await job.ExecuteBatchAsync(worker, batch);
                    }
                }
            }
            catch (Exception e)
            {
                job.Fail(e);
            }
        }
    }

    /// <summary>Broken: takes the input's last batch and never runs it, so its items are neither delivered nor counted.</summary>
    public sealed class DropsLastBatch : Engine
    {
        public override string Name => "drops-last-batch";

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Run(() =>
                Reference.LoopAsync(job, id, drop: b => job.ItemCount is { } n && b.StartIndex + b.Count == n))));
    }

    /// <summary>Broken: starts its workers and returns at once, so the run completes while items still run.</summary>
    public sealed class ReturnsBeforeWorkersExit : Engine
    {
        public override string Name => "returns-early";

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            for (var id = 0; id < job.DegreeOfParallelism; id++)
            {
                var worker = id;
                _ = Task.Run(() => Reference.LoopAsync(job, worker));
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Broken: an engine that runs work types itself (as remote engines do, here in this process) and completes each
    /// batch through <see cref="EngineJob{TIn, TOut}.CompleteBatchAsync"/>, but without the failures: a failed item looks
    /// like a success with a default result.
    /// </summary>
    public sealed class LosesFailures : Engine
    {
        public override string Name => "loses-failures";

        public override EngineCapabilities Capabilities => EngineCapabilities.None;

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Run(() => LoopAsync(job, id, keepFailures: false))));

        internal static async Task LoopAsync<TIn, TOut>(EngineJob<TIn, TOut> job, int id, bool keepFailures)
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
                        try
                        {
                            var item = batch.Items.Span[ran];
                            values[ran] = instance is IWork<TIn, TOut> sync ? sync.Execute(item) : await ((IAsyncWork<TIn, TOut>)instance).ExecuteAsync(item, job.CancellationToken);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // LosesFailures' bug: the failure is dropped here instead of passed to CompleteBatchAsync.
                            if (keepFailures)
                            {
                                (failures ??= []).Add(new ItemFailure(batch.StartIndex + ran, e));
                            }
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

    /// <summary>
    /// Broken: runs work types itself and keeps failures, and says it applies <see cref="RunOptions.ItemRetry"/> and
    /// <see cref="RunOptions.ItemTimeout"/> (<see cref="EngineCapabilities.ItemTimeoutAndRetry"/>) but ignores them: each
    /// item runs once.
    /// </summary>
    public sealed class IgnoresItemRetry : Engine
    {
        public override string Name => "ignores-item-retry";

        public override EngineCapabilities Capabilities => EngineCapabilities.ItemTimeoutAndRetry;

        public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

        protected override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Run(() => LosesFailures.LoopAsync(job, id, keepFailures: true))));
    }
}
