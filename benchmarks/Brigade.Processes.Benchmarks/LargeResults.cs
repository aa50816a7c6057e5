using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Brigade.Processes.Benchmarks;

/// <summary>
/// Large results through the process engine: a map over N items (20 by default), each returning a value of M megabytes
/// (10 by default) from a worker, with 2 workers. <c>--type bytes</c> returns a <c>byte[]</c> (JSON base64), <c>string</c>
/// a string of 'x', <c>tiny</c> one byte (the engine's fixed cost for comparison). Prints one JSON line: the run's wall
/// time, this process's CPU time and allocated bytes, and its peak resident memory (VmHWM) and resident memory after the
/// run (VmRSS). The workers' CPU and page faults are counted from outside: <c>perf stat -e page-faults</c> or
/// <c>benchmarks/cpu-of.sh</c> around the command.
/// </summary>
internal static class LargeResults
{
    public static async Task<int> RunAsync(string[] args)
    {
        var type = Option(args, "--type") ?? "bytes";
        var items = int.Parse(Option(args, "--items") ?? "20", CultureInfo.InvariantCulture);
        var megabytes = int.Parse(Option(args, "--mb") ?? "10", CultureInfo.InvariantCulture);
        var size = type == "tiny" ? 1 : megabytes * 1024 * 1024;
        var inputs = Enumerable.Repeat(size, items).ToArray();
        using var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false });
        var options = new RunOptions { Engine = engine };

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        long received = 0;
        if (type == "string")
        {
            foreach (var value in await Runner.MapAsync(inputs, new LargeString(), options))
            {
                received += value.Value?.Length ?? throw new InvalidOperationException($"item {value.Index} failed: {value.Exception?.Message}");
            }
        }
        else
        {
            foreach (var value in await Runner.MapAsync(inputs, new LargeBytes(), options))
            {
                received += value.Value?.Length ?? throw new InvalidOperationException($"item {value.Index} failed: {value.Exception?.Message}");
            }
        }

        var wall = watch.Elapsed.TotalSeconds;
        var results = new Dictionary<string, object>
        {
            ["type"] = type,
            ["items"] = items,
            ["bytesPerItem"] = size,
            ["received"] = received,
            ["wallS"] = Math.Round(wall, 3),
            ["parentCpuS"] = Math.Round((Environment.CpuUsage.TotalTime - cpu).TotalSeconds, 3),
            ["parentAllocatedMB"] = Math.Round((GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6, 1),
            ["parentPeakMB"] = Status("VmHWM"),
            ["parentRssAfterMB"] = Status("VmRSS"),
        };
        Console.WriteLine(JsonSerializer.Serialize(results));
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    // A line of /proc/self/status in megabytes, or -1 off Linux.
    private static double Status(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return -1;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kb = line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb < 0 ? -1 : Math.Round(kb / 1024.0, 1);
    }
}

/// <summary>A byte array of the input's length: a large result that travels as JSON base64.</summary>
public sealed class LargeBytes : IWork<int, byte[]>
{
    public byte[] Execute(int input)
    {
        var bytes = new byte[input];
        bytes.AsSpan().Fill(0x5A);
        return bytes;
    }
}

/// <summary>A string of the input's length.</summary>
public sealed class LargeString : IWork<int, string>
{
    public string Execute(int input) => new('x', input);
}
