using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Reporting;
using Brigade.Workloads;

namespace Brigade.Benchmarks;

/// <summary>
/// <see cref="RunReport.Losses"/> on the reference workloads (auto mode and each workload's first hand-picked
/// configuration) and on four workloads built to lose time to one cause: whether the causes sum to the gap, how much
/// is unexplained, and which cause is the largest. Prints a Markdown table for docs/performance.md.
/// </summary>
/// <remarks>
/// <code>
/// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- losses [--scale full|quick|test] [--only id,id]
/// </code>
/// </remarks>
public static class LossesTable
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = WorkloadScale.Full;
        string[]? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--scale": scale = Enum.Parse<WorkloadScale>(args[++i], ignoreCase: true); break;
                case "--only": only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var rows = new List<string>();
        // Plain lock waits timed from the runtime's contention events (process-wide, from here on).
        Brigade.Reporting.RunLosses.StartTimingPlainLocks();
        await using (var suite = await WorkloadSuite.StartAsync(scale))
        {
            var auto = WorkloadComparison.CreateAutoEngine();
            foreach (var workload in suite.All.Where(w => only is null || only.Contains(w.Id)))
            {
                await workload.WarmUpAsync();
                var autoReport = await workload.RunAsync(new RunOptions { Engine = auto, Label = "auto" });
                rows.Add(Row($"`{workload.Id}`", "—", autoReport));
                var hand = workload.HandPicked[0];
                var handReport = await workload.RunAsync(hand.Options(hand.Label));
                rows.Add(Row($"`{workload.Id}`", "—", handReport));
            }
        }

        if (only is null || only.Contains("built"))
        {
            await BuiltInAsync(rows);
        }

        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, load average {load}; scale {scale}.");
        Console.WriteLine();
        Console.WriteLine("| Workload | Built to lose to | Run | Wall | Useful / ideal | Σ causes / gap | Unexplained | Largest causes (share of the gap) | Largest but waiting for a core |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---|---|");
        foreach (var r in rows)
        {
            Console.WriteLine(r);
        }

        return 0;
    }

    private static string Row(string workload, string builtFor, RunReport report)
    {
        var l = report.Losses;
        var sum = TimeSpan.Zero;
        foreach (var c in l.Causes)
        {
            sum += c.Time;
        }

        var ratio = l.Gap != TimeSpan.Zero ? sum / l.Gap : 1.0;
        var unexplained = l.Gap > TimeSpan.Zero ? l.TimeLostTo(LossCause.Unexplained) / l.Gap : 0;
        var top = string.Join(", ", l.Causes.Where(c => c.Cause != LossCause.Unexplained && c.Time > TimeSpan.Zero).Take(3).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Cause} {c.Share * 100:0}%")));
        var other = l.Causes.Where(c => c.Cause is not LossCause.Unexplained and not LossCause.WaitingForCore && c.Time > TimeSpan.Zero).Select(c => c.Cause.ToString()).FirstOrDefault() ?? "—";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"| {workload} | {builtFor} | {report.Engine} ×{report.DegreeOfParallelism}{(report.Plans.Count > 0 ? $" ({report.Plans[^1].Engine})" : "")} | {report.WallTime.TotalMilliseconds:0} ms | {l.Efficiency * 100:0}% | {ratio * 100:0.0}% | {unexplained * 100:0.0}% | {top} | {other} |");
        Console.Error.WriteLine(line);
        Console.Error.WriteLine(report.Explain());
        return line;
    }

    private static void SpinFor(TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            Thread.SpinWait(20);
        }
    }

    // The workloads of RunLossesTests, larger: one cause each.
    private static async Task BuiltInAsync(List<string> rows)
    {
        var straggler = await Runner.ForEachAsync(Enumerable.Range(0, 200), i => SpinFor(TimeSpan.FromMilliseconds(i == 195 ? 300 : 5)),
            new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, Label = "straggler" });
        rows.Add(Row("straggler: 199 × 5 ms + item 195 × 300 ms of CPU", "imbalance", straggler));

        var tiny = await Runner.ForEachAsync(Enumerable.Range(0, 1_000_000), static i => GC.KeepAlive(i),
            new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, Label = "tiny one by one" });
        rows.Add(Row("tiny: 1,000,000 trivial items, batch 1", "overhead", tiny));

        var gate = new object();
        var locked = await Runner.ForEachAsync(Enumerable.Range(0, 200), _ =>
        {
            lock (gate)
            {
                SpinFor(TimeSpan.FromMilliseconds(2));
            }
        }, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, Label = "global lock" });
        rows.Add(Row("global lock: 200 × 2 ms of CPU inside one plain lock", "lock contention", locked));

        var lockedWait = await Runner.ForEachAsync(Enumerable.Range(0, 200), _ =>
        {
            lock (gate)
            {
                Thread.Sleep(2);
            }
        }, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, Label = "global lock around a wait" });
        rows.Add(Row("global lock: 200 × 2 ms wait inside one plain lock", "lock contention", lockedWait));

        // A CPU hog started beside the run: other processes spinning on every core.
        var hogs = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!).ToArray();
        try
        {
            await Task.Delay(200);
            var busy = await Runner.ForEachAsync(Enumerable.Range(0, 200), static _ => SpinFor(TimeSpan.FromMilliseconds(5)),
                new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, Label = "beside a CPU hog" });
            rows.Add(Row($"busy machine: 200 × 5 ms of CPU beside {hogs.Length} spinning processes", "waiting for a core", busy));
        }
        finally
        {
            foreach (var h in hogs)
            {
                h.Kill();
                h.WaitForExit();
                h.Dispose();
            }
        }
    }
}
