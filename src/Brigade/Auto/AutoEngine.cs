namespace Brigade.Auto;

/// <summary>
/// Auto mode: measures a sample of the run's own items, picks engine, width and batch size, keeps measuring and
/// re-plans when the work changes, and explains every plan in one line (<see cref="RunReport.Plan"/>).
/// </summary>
/// <remarks>See <see cref="AutoRun{TIn, TOut}"/> for the mechanics and <c>docs/auto-mode.md</c> for the rules.</remarks>
internal sealed class AutoEngine(AutoEngineOptions options) : Engine
{
    public AutoEngineOptions Options => options;

    public override string Name => "auto";

    public override int GetDefaultDegreeOfParallelism() => Environment.ProcessorCount;

    // With an isolated engine, every item runs there: what it can do is what this engine can do.
    public override EngineCapabilities Capabilities =>
        (options.IsolatedEngine?.Capabilities ?? base.Capabilities) | EngineCapabilities.AdaptsWidth;

    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
        options.IsolatedEngine is { } isolated ? RunIsolatedAsync(job, isolated) : new AutoRun<TIn, TOut>(job, options).RunAsync();

    // Work that asks for isolation never runs in this process, not even its sample: the isolated engine runs the whole
    // job at the planned width (the cached plan's, or the core count), and the work is classified afterwards from
    // the CPU time that engine reports per batch, against the time its workers report spending on them (IsolatedSample).
    private async Task RunIsolatedAsync<TIn, TOut>(EngineJob<TIn, TOut> job, Engine isolated)
    {
        var cores = Math.Max(1, Environment.ProcessorCount);
        var context = new PlanContext
        {
            Cores = cores,
            Options = options,
            MaxDegreeOfParallelism = job.Options.MaxDegreeOfParallelism,
            BatchSize = job.Options.BatchSize,
            ItemCount = job.ItemCount,
            AvailableMemoryBytes = AutoWorkerProcesses.AvailableBytes(),
        };

        var cache = options.PlanCacheEnabled && job.HasStableWorkIdentity ? new PlanCache(options.PlanCacheDirectory ?? PlanCache.DefaultDirectory()) : null;
        var key = PlanCache.KeyFor($"{job.WorkIdentity} (isolated)");
        var entry = cache?.TryGet(key);
        // A remembered plan's workers' memory, as the run that made it measured them (its own is read after this run).
        var cached = entry is not null ? AutoPlanner.Decide(entry.ToSample(), context with { FromCache = true, WorkerProcessBytes = Math.Max(0, entry.WorkerBytes) }) : null;
        var width = cached?.Width ?? Math.Max(1, (int)Math.Min(Math.Min(cores, job.Options.MaxDegreeOfParallelism ?? int.MaxValue), job.ItemCount ?? long.MaxValue));
        job.DegreeOfParallelism = width;
        job.Plan = cached?.Explanation ?? $"{isolated.Name} ×{width} — isolation requested; width = cores until the work is measured";

        await isolated.ExecuteAsync(job).ConfigureAwait(false);

        var sample = default(WorkSample);
        foreach (var worker in job.Recorder.Workers())
        {
            sample += IsolatedSample.Of(worker.ToReport(), worker.RemoteBusyTime);
        }

        // The workers' memory, read while they are alive (idle in the pool after the run; a pool that retires them reads
        // nothing, and the remembered figure or the stated one stands).
        var workerBytes = AutoWorkerProcesses.ResidentBytes(job.Recorder.Workers().Select(static w => w.ToReport())) ?? Math.Max(0, entry?.WorkerBytes ?? 0);
        if (AutoPlanner.Decide(sample, context with { ItemCount = job.ItemsTaken, Note = "measured on the isolated engine", WorkerProcessBytes = workerBytes }) is { } measured)
        {
            job.AutoPlans = [measured.ToPlan(0, 0, fromCache: cached is not null)];
            job.Plan = $"{isolated.Name} ×{width} — isolation requested; measured {AutoFormat.ClassName(measured.MeasuredClass)} (cpu/wall {AutoFormat.Ratio(sample.CpuRatio)}), {AutoFormat.Duration(sample.TimePerItem)} per item";
            cache?.Put(key, new PlanCacheEntry
            {
                Work = job.WorkName,
                Machine = PlanCache.Machine,
                Class = measured.MeasuredClass.ToString(),
                TimePerItemNs = sample.TimePerItem.TotalNanoseconds,
                CpuPerItemNs = sample.CpuTimePerItem.TotalNanoseconds,
                MeasuredItems = sample.TotalItems,
                Engine = isolated.Name,
                WorkerBytes = workerBytes,
                Width = measured.Width,
                BatchSize = measured.BatchSize,
                Updated = options.TimeProvider.GetUtcNow(),
            });
        }
    }
}
