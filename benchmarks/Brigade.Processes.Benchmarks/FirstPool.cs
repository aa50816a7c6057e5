using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Processes.Benchmarks;

/// <summary>
/// The first pool of a new process, which is where a JIT-compiled application pays for compiling the engine's code: a new
/// engine with 2 workers (the shipped worker host, or a worker executable with --worker), a run of one item, of one of
/// three work types: <c>long</c> (SquareWork: the run's generic code over a value type), <c>string</c> (WordCountWork) or
/// <c>record</c> (GreetWork over the sealed record Person: reference types, whose generic code is shared). Prints the
/// first result's time, the JIT's time and method count and the process's CPU time up to it, then a later pool's first
/// result, and the first result's time counted from the engine's creation rather than the run's start (what the engine
/// begins when it is created is in it). With --prestart the engine starts its workers when it is created
/// (PrestartWorkType): only the figure from its creation compares. One sample per process:
/// benchmarks/processes/first_pool.py runs them in paired rounds.
/// </summary>
internal static class FirstPool
{
    public static async Task<int> RunAsync(string[] args)
    {
        var typeAt = Array.IndexOf(args, "--type");
        var type = typeAt >= 0 && typeAt + 1 < args.Length ? args[typeAt + 1] : "long";
        var workerAt = Array.IndexOf(args, "--worker");
        var worker = workerAt >= 0 && workerAt + 1 < args.Length ? Path.GetFullPath(args[workerAt + 1]) : null;

        var jit = JitInfo.GetCompilationTime();
        var methods = JitInfo.GetCompiledMethodCount();
        var cpu = Environment.CpuUsage.TotalTime;
        var prestart = Array.IndexOf(args, "--prestart") >= 0;
        var first = await FirstResultAsync(type, worker, prestart);
        var later = await FirstResultAsync(type, worker, prestart);
        var results = new Dictionary<string, object>
        {
            ["type"] = type,
            ["worker"] = worker is null ? "shipped" : "native",
            ["prestart"] = prestart,
            ["firstMs"] = first.Ms,
            ["jitMs"] = (first.Jit - jit).TotalMilliseconds,
            ["jitMethods"] = first.Methods - methods,
            ["cpuMs"] = (first.Cpu - cpu).TotalMilliseconds,
            ["laterMs"] = later.Ms,
            ["firstFromEngineMs"] = first.FromEngineMs,
        };
        Console.WriteLine(JsonSerializer.Serialize(results));
        return 0;
    }

    private static async Task<(double Ms, double FromEngineMs, TimeSpan Jit, long Methods, TimeSpan Cpu)> FirstResultAsync(string type, string? worker, bool prestart)
    {
        var created = Stopwatch.GetTimestamp();
        Type? workType = !prestart ? null : type switch { "long" => typeof(SquareWork), "string" => typeof(WordCountWork), _ => typeof(GreetWork) };
        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false, WorkerPath = worker, PrestartWorkType = workType });
        try
        {
            var options = new RunOptions { Engine = engine };
            var beforeRun = Stopwatch.GetElapsedTime(created).TotalMilliseconds;
            var watch = Stopwatch.StartNew();
            var (ms, jit, methods, cpu) = type switch
            {
                "long" => await FirstAsync(Runner.StreamAsync([7L], new SquareWork(), options), watch, 49L),
                "string" => await FirstAsync(Runner.StreamAsync(["three words here"], new WordCountWork(), options), watch, 3),
                "record" => await FirstAsync(Runner.StreamAsync([new Person("Ada", 36)], new GreetWork(), options), watch, "Hello, Ada (36)!"),
                _ => throw new ArgumentException($"--type {type}: long, string or record"),
            };

            // From the engine's creation too: what the engine does when it is created (work begun there, beside the
            // caller) is in this figure, not only in the one from the run's start.
            return (ms, beforeRun + ms, jit, methods, cpu);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    private static async Task<(double Ms, TimeSpan Jit, long Methods, TimeSpan Cpu)> FirstAsync<T>(IAsyncEnumerable<ItemResult<T>> results, Stopwatch watch, T expected)
    {
        (double, TimeSpan, long, TimeSpan)? first = null;
        await foreach (var r in results)
        {
            first ??= (watch.Elapsed.TotalMilliseconds, JitInfo.GetCompilationTime(), JitInfo.GetCompiledMethodCount(), Environment.CpuUsage.TotalTime);
            if (!Equals(r.Value, expected))
            {
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "wrong result {0}", r.Value));
            }
        }

        return first!.Value;
    }
}
