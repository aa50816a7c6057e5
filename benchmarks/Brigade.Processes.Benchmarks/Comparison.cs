using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Brigade.Processes.Benchmarks;

/// <summary>
/// Wall-clock measurements of the process engine for the side-by-side comparison with Python's pools: per-item
/// overhead on trivial items (warm pool), time to the first result with a cold pool, worker start-up, and CPU-bound
/// speedup on two workers. Each figure is the median of several repetitions.
/// </summary>
internal static class Comparison
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var items = Option(args, "--items", 100_000);
        var repeat = Option(args, "--repeat", 5);
        var limit = Option(args, "--primes-below", 4_000_000);
        var input = Enumerable.Range(0, items).ToArray();
        var results = new Dictionary<string, object>
        {
            ["machine"] = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
            ["items"] = items,
            ["workers"] = 2,
        };

        // 1. Time to the first result with a cold pool. The very first run of the process also pays for compiling
        //    the engine's own code in this process; later cold runs (a new engine each time) show the pool's cost.
        var firstEver = await FirstResultAsync(input);
        results["firstResultFirstRunMs"] = firstEver.FirstResult.TotalMilliseconds;
        var cold = new List<(TimeSpan FirstResult, TimeSpan Startup)>();
        for (var i = 0; i < repeat; i++)
        {
            cold.Add(await FirstResultAsync(input));
        }

        results["firstResultColdPoolMs"] = Median(cold.Select(c => c.FirstResult.TotalMilliseconds));
        results["firstResultColdPoolMinMs"] = cold.Min(c => c.FirstResult.TotalMilliseconds);
        results["firstResultColdPoolMaxMs"] = cold.Max(c => c.FirstResult.TotalMilliseconds);
        results["workerStartupMs"] = Median(cold.Select(c => c.Startup.TotalMilliseconds));

        //    A pool pre-started when the engine is created (ProcessEngineOptions.PrestartWorkType), its first run a
        //    second later: what an application that creates its engine at start-up sees.
        var prestarted = new List<TimeSpan>();
        for (var i = 0; i < repeat; i++)
        {
            prestarted.Add((await FirstResultAsync(input, prestart: true)).FirstResult);
        }

        results["firstResultPrestartedMs"] = Median(prestarted.Select(p => p.TotalMilliseconds));

        // 2. Per-item overhead: trivial items, warm pool, automatic batching; and one item per round trip.
        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false });
        try
        {
            await engine.WarmUpAsync(typeof(AddOne));
            await Runner.MapAsync(input, new AddOne(), new RunOptions { Engine = engine }); // warm the code paths
            var auto = new List<double>();
            long batches = 0;
            for (var i = 0; i < repeat; i++)
            {
                var watch = Stopwatch.StartNew();
                var run = await Runner.MapAsync(input, new AddOne(), new RunOptions { Engine = engine });
                auto.Add(watch.Elapsed.TotalMilliseconds);
                batches = run.Report.Batches;
                Check(run.Values[^1] == items, "wrong result");
            }

            results["autoBatchTotalMs"] = Median(auto);
            results["autoBatchPerItemUs"] = Median(auto) * 1000 / items;
            results["autoBatchBatches"] = batches;

            // The same trivial work on small objects, which travel as JSON rather than raw bytes.
            var objects = input.Select(i => new Number(i)).ToArray();
            await engine.WarmUpAsync(typeof(AddOneJson));
            await Runner.MapAsync(objects, new AddOneJson(), new RunOptions { Engine = engine });
            var json = new List<double>();
            for (var i = 0; i < repeat; i++)
            {
                var watch = Stopwatch.StartNew();
                var run = await Runner.MapAsync(objects, new AddOneJson(), new RunOptions { Engine = engine });
                json.Add(watch.Elapsed.TotalMilliseconds);
                Check(run.Values[^1].Value == items, "wrong result");
            }

            results["autoBatchJsonTotalMs"] = Median(json);
            results["autoBatchJsonPerItemUs"] = Median(json) * 1000 / items;

            var fewItems = Math.Min(items, 10_000);
            var few = input[..fewItems];
            var single = new List<double>();
            for (var i = 0; i < Math.Min(repeat, 3); i++)
            {
                var watch = Stopwatch.StartNew();
                await Runner.MapAsync(few, new AddOne(), new RunOptions { Engine = engine, BatchSize = 1 });
                single.Add(watch.Elapsed.TotalMilliseconds);
            }

            results["batch1PerItemUs"] = Median(single) * 1000 / fewItems;

            // 3. CPU-bound speedup: the same slices in this process one after the other, then on two warm workers.
            const int Slices = 64;
            var slices = Enumerable.Range(0, Slices).Select(i => new Slice((long)limit * i / Slices, (long)limit * (i + 1) / Slices)).ToArray();
            // Both sides get the same untimed warm-up runs, so that both time steady-state code. Tiered compilation
            // promotes a young worker's loops from tier-0/OSR code to tier 1 only after a few hundred milliseconds of
            // calls; timed earlier, the workers ran up to ~18% slower per item than this older process (see
            // docs/performance.md for the effect and the DOTNET_TC_QuickJitForLoops knob that removes it).
            await engine.WarmUpAsync(typeof(CountPrimes));
            for (var i = 0; i < 3; i++)
            {
                await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = engine });
                await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = Engine.Sequential });
            }
            var sequential = new List<double>();
            var parallel = new List<double>();
            for (var i = 0; i < repeat; i++)
            {
                var seq = await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = Engine.Sequential });
                sequential.Add(seq.Report.WallTime.TotalMilliseconds);
                var par = await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = engine });
                parallel.Add(par.Report.WallTime.TotalMilliseconds);
                Check(seq.Values.Sum() == par.Values.Sum(), "CPU-bound results differ");
            }

            results["cpuPrimesBelow"] = limit;
            results["cpuSequentialMs"] = Median(sequential);
            results["cpuProcessesMs"] = Median(parallel);
            results["cpuSpeedup"] = Median(sequential) / Median(parallel);
        }
        finally
        {
            await engine.DisposeAsync();
        }

        Console.WriteLine(JsonSerializer.Serialize(results, Indented));
        return 0;
    }

    private static async Task<(TimeSpan FirstResult, TimeSpan Startup)> FirstResultAsync(int[] input, bool prestart = false)
    {
        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false, PrestartWorkType = prestart ? typeof(AddOne) : null });
        try
        {
            if (prestart)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var watch = Stopwatch.StartNew();
            TimeSpan? first = null;
            await foreach (var r in Runner.StreamAsync(input, new AddOne(), new RunOptions { Engine = engine }))
            {
                first ??= watch.Elapsed;
            }

            return (first!.Value, engine.GetStatistics().AverageStartupTime ?? TimeSpan.Zero);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
