using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Brigade.Orleans;
using Microsoft.Extensions.Hosting;

namespace Brigade.Cluster.Benchmarks;

/// <summary>
/// Side-by-side runner for the cluster engine (not BenchmarkDotNet: it needs two silo processes around the measured
/// code). Measures per-item overhead with batching on a localhost two-silo cluster, and CPU-bound speedup over the
/// two silo processes, against the same work run sequentially in this process.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Brigade.Cluster.Benchmarks</c>. The silos are this program run as
/// <c>cluster-silo</c>; they accept this assembly's work types and exit when this process closes their stdin.
/// </remarks>
internal static class ClusterBenchmark
{
    private const int TrivialItems = 100_000;
    private const int UnbatchedItems = 2_000;
    private const int Repeats = 3;

    public static async Task<int> RunAsync()
    {
        var cores = Environment.ProcessorCount;
        var perSilo = Math.Max(1, cores / 2);
        var ports = FreePorts(4);
        Console.WriteLine($"Cluster benchmark: {cores} cores, 2 silo processes on loopback, {perSilo} worker slot(s) per silo, best of {Repeats}");
        var silos = await Task.WhenAll(
            LocalSiloProcess.StartAsync(SiloCommand(ports[0], ports[2], ports[0]), TimeSpan.FromSeconds(90)),
            LocalSiloProcess.StartAsync(SiloCommand(ports[1], ports[3], ports[0]), TimeSpan.FromSeconds(90)));
        try
        {
            var options = new ClusterConnectionOptions();
            options.GatewayPorts.Add(ports[2]);
            options.GatewayPorts.Add(ports[3]);
            await using var connection = await ClusterConnection.ConnectAsync(options);
            ClusterEngine engine;
            do
            {
                engine = await connection.CreateEngineAsync(new ClusterEngineOptions { WorkersPerSilo = perSilo });
            }
            while ((await engine.DiscoverAsync()).Count < 2 && await Delay());

            var trivial = Enumerable.Range(0, TrivialItems).ToArray();
            var slices = Enumerable.Range(0, 64).Select(i => new PrimeRange(15_000_000L * i / 64, 15_000_000L * (i + 1) / 64)).ToArray();

            // Warm-up: JIT in both silos and here.
            await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = engine });
            await Runner.MapAsync(slices.Take(8), new CountPrimesWork(), new RunOptions { Engine = engine });
            await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = Engine.Sequential });

            var seqTrivial = await Best(() => Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = Engine.Sequential }));
            var clusterTrivial = await Best(() => Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = engine }));
            var unbatched = await Best(() => Runner.MapAsync(trivial.Take(UnbatchedItems), new Increment(), new RunOptions { Engine = engine, BatchSize = 1 }));
            var seqPrimes = await Best(() => Runner.MapAsync(slices, new CountPrimesWork(), new RunOptions { Engine = Engine.Sequential }));
            var clusterPrimes = await Best(() => Runner.MapAsync(slices, new CountPrimesWork(), new RunOptions { Engine = engine }));

            var overhead = (clusterTrivial.Report.WallTime - seqTrivial.Report.WallTime).TotalMicroseconds / TrivialItems;
            var unbatchedPerItem = unbatched.Report.WallTime.TotalMicroseconds / UnbatchedItems;
            Console.WriteLine();
            Console.WriteLine("| Measurement | Result |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| {TrivialItems:N0} trivial items, sequential in-process | {seqTrivial.Report.WallTime.TotalMilliseconds:0} ms |");
            Console.WriteLine($"| {TrivialItems:N0} trivial items, cluster, adaptive batching | {clusterTrivial.Report.WallTime.TotalMilliseconds:0} ms in {clusterTrivial.Report.Batches:N0} batches |");
            Console.WriteLine($"| per-item overhead with batching | {overhead:0.00} µs |");
            Console.WriteLine($"| per item with BatchSize = 1 ({UnbatchedItems:N0} items; one grain call each) | {unbatchedPerItem:0} µs |");
            Console.WriteLine($"| primes below 15,000,000 (64 slices), sequential in-process | {seqPrimes.Report.WallTime.TotalSeconds:0.000} s |");
            Console.WriteLine($"| same, cluster ({string.Join(", ", clusterPrimes.Report.Workers.GroupBy(w => w.Location).Select(g => $"{g.Sum(w => w.Items)} items on {g.Key}"))}) | {clusterPrimes.Report.WallTime.TotalSeconds:0.000} s |");
            Console.WriteLine($"| CPU-bound speedup over 2 silo processes | {seqPrimes.Report.WallTime / clusterPrimes.Report.WallTime:0.00}× |");
            return seqPrimes.Values.Sum() == clusterPrimes.Values.Sum() && clusterTrivial.Values.SequenceEqual(seqTrivial.Values) ? 0 : 1;
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(15))));
        }
    }

    /// <summary>Hosts one silo of the benchmark cluster: <c>cluster-silo PORT GATEWAY PRIMARY [ADDRESS MEMBERSHIP CLUSTER]</c>.</summary>
    public static async Task<int> RunSiloAsync(string[] args)
    {
        var options = new BrigadeSiloOptions
        {
            SiloPort = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture),
            GatewayPort = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            PrimarySiloPort = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
            ExitWhenStandardInputCloses = true,
        };
        if (args.Length >= 7)
        {
            // A simulated host of the failover benchmark: its own address, a membership store, no primary.
            options.Address = System.Net.IPAddress.Parse(args[4]);
            options.Membership = ClusterMembership.Parse(args[5]);
            options.ClusterId = args[6];
        }

        options.WorkAssemblies.Add(typeof(ClusterBenchmark).Assembly);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseBrigadeSilo(options);
        using var host = builder.Build();
        await host.RunAsync();
        return 0;
    }

    private static async Task<RunResult<T>> Best<T>(Func<Task<RunResult<T>>> run)
    {
        RunResult<T>? best = null;
        for (var i = 0; i < Repeats; i++)
        {
            var result = await run();
            if (best is null || result.Report.WallTime < best.Report.WallTime)
            {
                best = result;
            }
        }

        return best!;
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }

    internal static ProcessStartInfo SiloCommand(int port, int gateway, int primary, params string[] more)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host);
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(ClusterBenchmark).Assembly.Location);
        }

        foreach (var arg in (string[])["cluster-silo", $"{port}", $"{gateway}", $"{primary}", .. more])
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

/// <summary>A range [From, To) of numbers whose primes to count.</summary>
public sealed record PrimeRange(long From, long To);

/// <summary>CPU-bound work of a fixed cost (half a millisecond of spinning) whose result names its item: 2 × input + 1.</summary>
public sealed class Spin : IWork<int, int>
{
    public int Execute(int input)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromMicroseconds(500))
        {
        }

        return (2 * input) + 1;
    }
}

/// <summary>A trivial item: the per-item cost of the engine is all that is measured.</summary>
public sealed class Increment : IWork<int, int>
{
    public int Execute(int input) => input + 1;
}

/// <summary>Counts primes by trial division: pure CPU.</summary>
public sealed class CountPrimesWork : IWork<PrimeRange, int>
{
    public int Execute(PrimeRange input)
    {
        var count = 0;
        for (var n = Math.Max(2, input.From); n < input.To; n++)
        {
            if (n < 4 ? n >= 2 : n % 2 != 0 && IsOddPrime(n))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsOddPrime(long n)
    {
        for (long d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
