using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Workloads;

namespace Brigade.Benchmarks;

/// <summary>
/// Auto mode against the best hand-picked engine and width on every reference workload, measured side by side in
/// one process: median of N interleaved repetitions, auto's sampling included (no plan cache). Prints a Markdown
/// table for docs/performance.md.
/// </summary>
/// <remarks>
/// BenchmarkDotNet does not fit: each auto run must include its own sampling and decisions, and the comparison
/// is against the fastest of several configurations measured in the same conditions.
/// <code>
/// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- auto [--reps 5] [--scale full|quick|test] [--only id,id]
/// </code>
/// </remarks>
public static class AutoModeComparison
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (ComparisonArgs.Parse(args, defaultReps: 5) is not { } options)
        {
            return 2;
        }

        var (reps, scale, _) = options;

        await using var suite = await WorkloadSuite.StartAsync(scale);
        var auto = WorkloadComparison.CreateAutoEngine();
        var results = new List<WorkloadComparison>();
        var total = Stopwatch.StartNew();
        var load = ComparisonArgs.ReadLoadAverage();
        foreach (var workload in suite.All.Where(w => options.Includes(w.Id)))
        {
            var comparison = await WorkloadComparison.RunAsync(workload, auto, reps, int.MaxValue);
            results.Add(comparison);
            Console.Error.WriteLine($"{workload.Id,-16} auto {Ms(comparison.Auto.Median),9} vs {comparison.Best.Label} {Ms(comparison.Best.Median),9}: ×{comparison.Ratio:0.00}  [{comparison.MeasuredClass}] {comparison.Auto.Report.Plan}");
        }

        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
            $"load average before/after {load} / {ComparisonArgs.ReadLoadAverage()}; scale {scale}, median of {reps} interleaved repetitions ({WorkloadComparison.ShortRunRepetitions} for workloads whose runs take under {WorkloadComparison.ShortRun.TotalMilliseconds:0} ms); {total.Elapsed.TotalSeconds:0} s in all.");
        Console.WriteLine();
        Console.WriteLine("| Workload | Class (expected) | Auto | Best hand-picked | Best | Auto / best | Other hand-picked | Auto's plan |");
        Console.WriteLine("|---|---|---:|---|---:|---:|---|---|");
        foreach (var c in results)
        {
            var others = string.Join(", ", c.Alternatives.Where(a => a != c.Best).Select(a => $"{a.Label} {Ms(a.Median)}"));
            var cls = c.MeasuredClass.ToString() + (c.ClassMatches ? "" : $" (expected {c.Workload.ExpectedClass})");
            Console.WriteLine($"| `{c.Workload.Id}` {c.Workload.Title} | {cls} | {Ms(c.Auto.Median)} | {c.Best.Label} | {Ms(c.Best.Median)} | **{c.Ratio:0.00}** | {others} | {c.Auto.Report.Plan?.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        var within = results.Count(r => r.Ratio <= 1.15);
        Console.WriteLine();
        Console.WriteLine($"Auto within 1.15× of the best hand-picked configuration on {within} of {results.Count} workloads; class as labelled on {results.Count(r => r.ClassMatches)} of {results.Count}.");
        return 0;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString(t.TotalMilliseconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";
}
