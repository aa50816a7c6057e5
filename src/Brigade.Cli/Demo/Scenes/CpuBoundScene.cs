using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Work;
using Brigade.Processes;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>Pure computation split into items: sequential against the thread pool on every core.</summary>
internal sealed class CpuBoundScene : IDemoScene
{
    public string Id => "cpu-bound";

    public string Title => "CPU-bound work: counting primes";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var cores = Environment.ProcessorCount;
        long limit = context.Quick ? 6_000_000 : 15_000_000;
        const int Slices = 64;
        var slices = Enumerable.Range(0, Slices).Select(i => (From: limit * i / Slices, To: limit * (i + 1) / Slices)).ToArray();
        var label = $"primes below {limit:N0}, {Slices} slices";

        // Warm up the JIT so neither run pays for compilation.
        _ = Workloads.CountPrimes(0, 20_000);

        var seq = await Runner.MapAsync(slices, s => Workloads.CountPrimes(s.From, s.To), DemoContext.Options(Engine.Sequential, label), cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(seq.Report, seq.Report.WallTime, 1));
        var pauseBefore = GC.GetTotalPauseDuration();
        var pool = await Runner.MapAsync(slices, s => Workloads.CountPrimes(s.From, s.To), DemoContext.Options(Engine.ThreadPool, label), cancellationToken).ConfigureAwait(false);
        var gcShare = (GC.GetTotalPauseDuration() - pauseBefore) / pool.Report.WallTime;
        result.Runs.Add(context.Record(pool.Report, seq.Report.WallTime, cores));

        var same = seq.Values.Sum() == pool.Values.Sum();
        var speedup = seq.Report.WallTime / pool.Report.WallTime;
        result.Conclusion =
            $"{seq.Values.Sum():N0} primes: {seq.Report.WallTime.TotalSeconds:0.00} s on one core, {pool.Report.WallTime.TotalSeconds:0.00} s on the thread pool: " +
            $"{speedup:0.00}× on {cores} cores ({speedup / cores:P0} efficiency){(same ? "" : " — RESULTS DIFFER")}. " +
            $".NET has no GIL: computation that allocates little, like this ({gcShare:P0} of the time in GC pauses), scales on threads. " +
            "Allocation-heavy work (tens of KB or more per item) is another matter: under workstation GC the threads share one heap " +
            "and its pauses, so worker processes or Server GC can be faster; auto mode measures the GC's share and says GC-bound then.";

        // The same slices on two worker processes, cold (workers start) and then warm (the pool is reused).
        var primeSlices = slices.Select(s => new PrimeSlice(s.From, s.To)).ToArray();
        var processes = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = cores, ForwardWorkerOutput = false });
        try
        {
            var cold = await Runner.MapAsync(primeSlices, new CountPrimesWork(), DemoContext.Options(processes, label + ", cold pool"), cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(cold.Report, seq.Report.WallTime, cores));
            var warm = await Runner.MapAsync(primeSlices, new CountPrimesWork(), DemoContext.Options(processes, label + ", warm pool"), cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(warm.Report, seq.Report.WallTime, cores));
            var sameInProcesses = cold.Values.Sum() == seq.Values.Sum() && warm.Values.Sum() == seq.Values.Sum();
            result.Conclusion +=
                $" On {cores} worker processes: {cold.Report.WallTime.TotalSeconds:0.00} s cold (start-up {processes.GetStatistics().AverageStartupTime?.TotalMilliseconds ?? 0:0} ms per worker), " +
                $"{warm.Report.WallTime.TotalSeconds:0.00} s warm ({seq.Report.WallTime / warm.Report.WallTime:0.00}×){(sameInProcesses ? "" : " — RESULTS DIFFER")}.";
        }
        finally
        {
            await processes.DisposeAsync().ConfigureAwait(false);
        }

        return result;
    }
}
