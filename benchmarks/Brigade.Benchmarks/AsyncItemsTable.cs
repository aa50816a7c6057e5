using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Brigade.Benchmarks;

/// <summary>
/// The per-item cost of asynchronous work on <see cref="Engine.Async"/> beside <see cref="Engine.ThreadPool"/> and
/// <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>
/// at the same width (256): work whose <see cref="ValueTask"/> completes synchronously (a cache hit) and work that truly
/// awaits (<c>await Task.Yield()</c>). Median of five runs after a warm-up, in microseconds and bytes allocated per item.
/// Prints a Markdown table for docs/performance.md.
/// </summary>
/// <remarks>
/// <code>
/// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- async [--items N]
/// </code>
/// Wall times are noisy on a shared machine (the load average is printed); the bytes per item are not.
/// </remarks>
public static class AsyncItemsTable
{
    private const int Width = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        var n = 100_000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--items": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var items = Enumerable.Range(0, n).ToArray();
        var onAsync = new RunOptions { Engine = Engine.Async };
        var onPool = new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = Width };
        // The timeline keeps one event per batch (up to RunOptions.MaxTimelineEvents): with items that await, a batch is
        // one to three items, so this row shows the engine's own cost apart from it.
        var noTimeline = new RunOptions { Engine = Engine.Async, CollectTimeline = false };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Width };
        var rows = new List<(string Work, string Runner, Func<Task> Run)>
        {
            ("MapAsync, completes synchronously", "Engine.Async", () => Runner.MapAsync(items, static (int x, CancellationToken _) => ValueTask.FromResult(x * 2), onAsync)),
            ("MapAsync, completes synchronously", "Engine.ThreadPool (width 256)", () => Runner.MapAsync(items, static (int x, CancellationToken _) => ValueTask.FromResult(x * 2), onPool)),
            ("ForEachAsync, completes synchronously", "Engine.Async", () => Runner.ForEachAsync(items, static (int _, CancellationToken _) => ValueTask.CompletedTask, onAsync)),
            ("ForEachAsync, completes synchronously", "Engine.ThreadPool (width 256)", () => Runner.ForEachAsync(items, static (int _, CancellationToken _) => ValueTask.CompletedTask, onPool)),
            ("ForEachAsync, completes synchronously", "Parallel.ForEachAsync (256)", () => Parallel.ForEachAsync(items, parallel, static (_, _) => ValueTask.CompletedTask)),
            ("MapAsync, `await Task.Yield()`", "Engine.Async", () => Runner.MapAsync(items, static async (int x, CancellationToken _) => { await Task.Yield(); return x * 2; }, onAsync)),
            ("MapAsync, `await Task.Yield()`", "Engine.Async, CollectTimeline off", () => Runner.MapAsync(items, static async (int x, CancellationToken _) => { await Task.Yield(); return x * 2; }, noTimeline)),
            ("MapAsync, `await Task.Yield()`", "Engine.ThreadPool (width 256)", () => Runner.MapAsync(items, static async (int x, CancellationToken _) => { await Task.Yield(); return x * 2; }, onPool)),
            ("ForEachAsync, `await Task.Yield()`", "Parallel.ForEachAsync (256)", () => Parallel.ForEachAsync(items, parallel, static async (_, _) => await Task.Yield())),
        };

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, load average {load}; {n:N0} items, median of 5.");
        Console.WriteLine();
        Console.WriteLine("| Work | Runner | µs per item | Bytes per item |");
        Console.WriteLine("|---|---|---:|---:|");
        foreach (var (work, runner, run) in rows)
        {
            var (micros, bytes) = await MeasureAsync(run, n);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {work} | {runner} | {micros:F3} | {bytes:F0} |"));
        }

        return 0;
    }

    private static async Task<(double Micros, double Bytes)> MeasureAsync(Func<Task> run, int n)
    {
        await run();
        var micros = new double[5];
        var bytes = new double[5];
        for (var i = 0; i < micros.Length; i++)
        {
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            await run();
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / n;
            bytes[i] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)n;
        }

        Array.Sort(micros);
        Array.Sort(bytes);
        return (micros[2], bytes[2]);
    }
}
