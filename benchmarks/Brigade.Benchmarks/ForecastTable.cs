using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Workloads;

namespace Brigade.Benchmarks;

/// <summary>
/// Forecast beside measured (issue 18) on the reference workloads: each configuration of <see cref="AutoModeComparison"/>
/// (auto and the hand-picked ones, interleaved, medians), its speedup forecast from auto's sample and the engine's
/// overhead measured on empty items, and the speedup its median run measured. Prints a Markdown table.
/// </summary>
/// <remarks>
/// <code>
/// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- forecast [--reps 3] [--scale full|quick|test] [--only id,id]
/// </code>
/// </remarks>
public static class ForecastTable
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (ComparisonArgs.Parse(args, defaultReps: 3) is not { } options)
        {
            return 2;
        }

        if (Environment.GetEnvironmentVariable(TieredVariable) is null)
        {
            return await RunWithoutTieredCompilationAsync(args);
        }

        var (reps, scale, _) = options;

        // Plain lock waits timed from the runtime's contention events (the forecast's serial fraction reads them).
        Brigade.Reporting.RunLosses.StartTimingPlainLocks();
        var loadBefore = ComparisonArgs.ReadLoadAverage();
        var lines = new List<string>();
        int autoWithin = 0, expertWithin = 0, workloads = 0, allWithin = 0, all = 0, targetWithin = 0, target = 0;
        await using (var suite = await WorkloadSuite.StartAsync(scale))
        {
            var auto = WorkloadComparison.CreateAutoEngine();
            foreach (var workload in suite.All.Where(w => options.Includes(w.Id)))
            {
                var comparison = await WorkloadComparison.RunAsync(workload, auto, reps, int.MaxValue);
                var rows = await ForecastComparison.RunAsync(comparison);
                if (rows.Count == 0)
                {
                    lines.Add($"| `{workload.Id}` | no sample | | | | | |");
                    continue;
                }

                workloads++;
                var plan = comparison.Auto.Report.Plans[0];
                var sample = ForecastComparison.SampleOf(comparison.Auto.Report)!;
                var sampleText = string.Create(CultureInfo.InvariantCulture,
                    $"{Ms(plan.TimePerItem)}/item, cpu {sample.CpuRatio:0.00}, run queue {sample.RunQueueShare * 100:0}%, spread {sample.Spread:0.00}");
                var a = rows[0];
                var expert = rows[1];
                autoWithin += Math.Abs(a.Error) <= 0.2 ? 1 : 0;
                if (TargetIds.Contains(workload.Id))
                {
                    target++;
                    targetWithin += Math.Abs(a.Error) <= 0.2 ? 1 : 0;
                }

                expertWithin += Math.Abs(expert.Error) <= 0.2 ? 1 : 0;
                all += rows.Count;
                allWithin += rows.Count(r => Math.Abs(r.Error) <= 0.2);
                var others = string.Join("; ", rows.Skip(2).Select(Cell));
                var line = $"| `{workload.Id}` | {sampleText} | {Cell(a)} ({a.Forecast.LimitedBy}) | {Factors(a)} | {Cell(expert)} | {others} |";
                Console.Error.WriteLine(line + $"  [load {ComparisonArgs.ReadLoadAverage()}]");
                if (Environment.GetEnvironmentVariable("BRIGADE_FORECAST_DEBUG") == "1")
                {
                    Console.Error.WriteLine($"    plan: {plan.Explanation} | at {plan.AtItem} measured {plan.MeasuredItems} cpu/item {Ms(plan.CpuTimePerItem)} contention {plan.Contention:0.00} load {sample.OtherLoad} groups [{string.Join(',', sample.OtherGroups ?? [])}]");
                    foreach (var p in comparison.Auto.Report.Plans.Skip(1))
                    {
                        Console.Error.WriteLine($"    re-plan: {p.Explanation} | at {p.AtItem} t {Ms(p.TimePerItem)} cpu {p.CpuRatio:0.00}");
                    }

                    Console.Error.WriteLine($"    serial fraction {sample.SerialFraction:0.00}");
                    var reports = new[] { comparison.Auto }.Concat(comparison.Alternatives).ToArray();
                    for (var k = 0; k < rows.Count; k++)
                    {
                        var rep = reports[k].Report;
                        var los = rep.Losses;
                        var r = rows[k];
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    {r.Label}: T1 f/m {r.Speedup * r.Forecast.WallTime.TotalSeconds / Math.Max(1e-12, r.Measured * rep.WallTime.TotalSeconds):0.00} wall m/f {rep.WallTime / Math.Max(1e-12, r.Forecast.WallTime.TotalSeconds) / TimeSpan.FromSeconds(1):0.00} | fwall {r.Forecast.WallTime.TotalMilliseconds:0.0} ms mwall {rep.WallTime.TotalMilliseconds:0.0} ms (walls {string.Join(',', reports[k].Walls.Select(x => x.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)))}) | fS {r.Speedup:0.00} share {r.Forecast.CoreShare:0.00} | cost su {r.Cost.StartUp.TotalMilliseconds:0.000} ms pi {r.Cost.PerItem.TotalMicroseconds:0.00} µs | busy {rep.BusyTime.TotalMilliseconds:0} cpu {rep.WorkerCpuTime?.TotalMilliseconds:0} useful {los.Useful.TotalMilliseconds:0} lossSpeedup {los.Speedup:0.00} busy/wall {rep.Speedup:0.00} n*t/wall {r.Measured:0.00} | first batch {(rep.Timeline.Count > 0 ? rep.Timeline.Min(e => e.Start).TotalMilliseconds : 0):0.0} ms, after last {(rep.Timeline.Count > 0 ? (rep.WallTime - rep.Timeline.Max(e => e.End)).TotalMilliseconds : 0):0.0} ms, plan at {(k == 0 && rep.Timeline.Any(e => e.FirstIndex >= plan.AtItem) ? rep.Timeline.Where(e => e.FirstIndex >= plan.AtItem).Min(e => e.Start).TotalMilliseconds : 0):0.0} ms | {los.Summary}"));
                    }
                }

                lines.Add(line);
            }
        }

        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
            $"load average before/after {loadBefore} / {ComparisonArgs.ReadLoadAverage()}; scale {scale}, median of {reps} interleaved repetitions.");
        Console.WriteLine();
        Console.WriteLine("| Workload | Auto's sample | Auto: forecast / measured (error) | Auto's error = items' time × wall time | Expert's pick: forecast / measured (error) | Other hand-picked |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var l in lines)
        {
            Console.WriteLine(l);
        }

        Console.WriteLine();
        Console.WriteLine($"Forecast within 20% of measured: auto {autoWithin} of {workloads} workloads ({targetWithin} of the {target} of issue 18's target); expert's pick {expertWithin} of {workloads}; all configurations {allWithin} of {all}.");
        return 0;
    }

    private const string TieredVariable = "DOTNET_TieredCompilation";

    // The 11 auto-mode workloads issue 18's forecast target counts (the suite's first 11; the later ones came with issue 16).
    private static readonly HashSet<string> TargetIds = [.. WorkloadSuite.Ids.Take(11)];

    // Runs the command again in a child process with tiered compilation off, as `brigade advise` measures (MeasuringProcess
    // in Brigade.Cli). With it on, the runtime's tiering thread recompiled code all through the benchmark's process:
    // 10-170 ms of CPU per 0.4 s CPU-bound run on 2 cores (0 with it off), measured per thread from
    // /proc/self/task/*/stat; a core the model gives the job's workers went to the JIT, and runs early in the
    // process ran tier-0 code slower than the one-at-a-time baseline measured after them (docs/performance.md,
    // "Round 6 ... where the error comes from"). DOTNET_TieredCompilation=1 in the environment keeps it on.
    private static async Task<int> RunWithoutTieredCompilationAsync(string[] args)
    {
        var path = Environment.ProcessPath ?? "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(path) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ForecastTable).Assembly.Location);
        }

        start.ArgumentList.Add("forecast");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment[TieredVariable] = "0";
        Console.Error.WriteLine("forecast: running with tiered compilation off (DOTNET_TieredCompilation=0), as brigade advise does");
        using var child = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start the benchmark again");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    // The error's two factors: the forecast's one-at-a-time time of the items over the baseline's, and the measured wall
    // time over the forecast one (×1.30: the run took 30% longer than forecast).
    private static string Factors(ForecastRow r) =>
        string.Create(CultureInfo.InvariantCulture, $"×{r.SequentialRatio:0.00} × {r.WallRatio:0.00}");

    private static string Cell(ForecastRow r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Label}: {r.Speedup:0.00} / {r.Measured:0.00} ({(r.Error >= 0 ? "+" : "")}{r.Error * 100:0}%)");

    private static string Ms(TimeSpan t) => t.TotalMilliseconds >= 1
        ? t.TotalMilliseconds.ToString("0.0 ms", CultureInfo.InvariantCulture)
        : t.TotalMicroseconds.ToString("0.## µs", CultureInfo.InvariantCulture);
}
