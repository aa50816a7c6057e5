using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Processes.Benchmarks;

/// <summary>
/// Time to the first result from a cold pool (a new engine, 2 workers, a run of one item), with the worker host that ships
/// with Brigade.Processes (dotnet exec) and with a worker executable (ProcessEngineOptions.WorkerPath: the NativeAOT publish
/// of samples/Brigade.Samples.NativeWorker), in alternating order so that both see the same load. The first pool of the
/// process (the shipped worker's, or the native one's with --native-first) also pays for compiling the engine's own code
/// in this process: it is reported apart ("first run"), then one pool of the other kind is left out. The half of
/// benchmarks/processes/cold_paired.py that measures the native worker.
/// </summary>
internal static class ColdWorkers
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--worker");
        if (at < 0 || at + 1 >= args.Length)
        {
            Console.Error.WriteLine("usage: cold --worker PATH [--repeat N] [--native-first]   (PATH: dotnet publish samples/Brigade.Samples.NativeWorker -c Release -r linux-x64)");
            return 2;
        }

        var worker = Path.GetFullPath(args[at + 1]);
        var repeatAt = Array.IndexOf(args, "--repeat");
        var repeat = repeatAt >= 0 && repeatAt + 1 < args.Length ? int.Parse(args[repeatAt + 1], CultureInfo.InvariantCulture) : 5;

        var nativeFirst = Array.IndexOf(args, "--native-first") >= 0;
        var firstRun = await FirstResultAsync(nativeFirst ? worker : null);
        await FirstResultAsync(nativeFirst ? null : worker);
        var shipped = new List<(double First, double Startup)>();
        var native = new List<(double First, double Startup)>();
        for (var i = 0; i < repeat; i++)
        {
            if (i % 2 == 0)
            {
                shipped.Add(await FirstResultAsync(null));
                native.Add(await FirstResultAsync(worker));
            }
            else
            {
                native.Add(await FirstResultAsync(worker));
                shipped.Add(await FirstResultAsync(null));
            }
        }

        var results = new Dictionary<string, object>
        {
            ["repeat"] = repeat,
            ["firstRunWorker"] = nativeFirst ? "native" : "shipped",
            ["firstRunMs"] = firstRun.First,
            ["shippedWorkerFirstResultMs"] = shipped.Select(s => s.First).ToArray(),
            ["shippedWorkerStartupMs"] = shipped.Select(s => s.Startup).ToArray(),
            ["nativeWorkerFirstResultMs"] = native.Select(s => s.First).ToArray(),
            ["nativeWorkerStartupMs"] = native.Select(s => s.Startup).ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(results, Indented));
        return 0;
    }

    private static async Task<(double First, double Startup)> FirstResultAsync(string? workerPath)
    {
        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false, WorkerPath = workerPath });
        try
        {
            var watch = Stopwatch.StartNew();
            double? first = null;
            await foreach (var r in Runner.StreamAsync([7L], new SquareWork(), new RunOptions { Engine = engine }))
            {
                first ??= watch.Elapsed.TotalMilliseconds;
                if (r.Value != 49)
                {
                    throw new InvalidOperationException($"wrong result {r.Value}");
                }
            }

            return (first!.Value, (engine.GetStatistics().AverageStartupTime ?? TimeSpan.Zero).TotalMilliseconds);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }
}
