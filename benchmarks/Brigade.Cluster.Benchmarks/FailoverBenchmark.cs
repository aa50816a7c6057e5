using System.Diagnostics;
using System.Net;
using Brigade.Orleans;

namespace Brigade.Cluster.Benchmarks;

/// <summary>
/// The cluster as deployed: three simulated hosts (silos bound to 127.0.0.2, .3 and .4, same ports) with Redis
/// membership (a <c>redis-server</c> started here, Debian's). Measures the per-item overhead on that deployment, then
/// runs trials that each SIGKILL one silo mid-run (ordered results), restart it, and record whether every item came
/// out exactly once and the longest gap in ordered delivery after the kill.
/// </summary>
internal static class FailoverBenchmark
{
    private const int TrivialItems = 100_000;
    private const int TrialItems = 4_000;
    private static readonly IPAddress[] Hosts = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.4")];

    public static async Task<int> RunAsync(int trials)
    {
        var directory = Directory.CreateTempSubdirectory("brigade-failover-").FullName;
        var redisPort = ClusterBenchmark.FreePorts(1)[0];
        using var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {redisPort} --bind 127.0.0.1 --save \"\" --appendonly no --dir {directory}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var membership = $"redis://127.0.0.1:{redisPort}";
        var clusterId = $"bench-{Environment.ProcessId}";
        var ports = ClusterBenchmark.FreePorts(2);
        var silos = new LocalSiloProcess?[Hosts.Length];
        try
        {
            await Task.Delay(500);
            await Task.WhenAll(Enumerable.Range(0, Hosts.Length).Select(async i => silos[i] = await StartAsync(i)));
            var options = new ClusterConnectionOptions { Membership = ClusterMembership.Parse(membership), ClusterId = clusterId };
            await using var connection = await ClusterConnection.ConnectAsync(options);
            var engine = await WaitForAsync(connection, 3);
            Console.WriteLine($"Failover benchmark: {Environment.ProcessorCount} cores, 3 silos on 127.0.0.2-4 (Redis membership), {engine.GetDefaultDegreeOfParallelism()} worker slots, load {Load()}");

            var trivial = Enumerable.Range(0, TrivialItems).ToArray();
            await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = engine });
            await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = Engine.Sequential });
            var seq = await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = Engine.Sequential });
            var cluster = await Runner.MapAsync(trivial, new Increment(), new RunOptions { Engine = engine });
            var single = await Runner.MapAsync(trivial.Take(2_000), new Increment(), new RunOptions { Engine = engine, BatchSize = 1 });
            var overhead = (cluster.Report.WallTime - seq.Report.WallTime).TotalMicroseconds / TrivialItems;

            var stalls = new List<double>();
            var survived = 0;
            var lost = 0L;
            var duplicates = 0L;
            for (var trial = 0; trial < trials; trial++)
            {
                var victim = trial % Hosts.Length;
                var killAfter = TrialItems * (20 + Random.Shared.Next(50)) / 100;
                var seen = new int[TrialItems];
                var clock = Stopwatch.StartNew();
                TimeSpan? killedAt = null;
                var last = TimeSpan.Zero;
                var worst = TimeSpan.Zero;
                var delivered = 0;
                Exception? error = null;
                try
                {
                    await foreach (var r in Runner.StreamAsync(Enumerable.Range(0, TrialItems), new Spin(), new RunOptions { Engine = engine, PreserveOrder = true }))
                    {
                        var now = clock.Elapsed;
                        if (killedAt is not null && now - last > worst)
                        {
                            worst = now - last;
                        }

                        last = now;
                        if (r.IsSuccess && r.Value == (2 * r.Index) + 1)
                        {
                            seen[r.Index]++;
                        }

                        if (++delivered == killAfter)
                        {
                            using (var p = Process.GetProcessById(silos[victim]!.ProcessId))
                            {
                                p.Kill();
                            }

                            killedAt = clock.Elapsed;
                            last = killedAt.Value;
                        }
                    }
                }
                catch (Exception e)
                {
                    error = e;
                }

                var missing = seen.Count(n => n == 0);
                var doubled = seen.Count(n => n > 1);
                lost += missing;
                duplicates += doubled;
                if (error is null && missing == 0 && doubled == 0)
                {
                    survived++;
                }

                stalls.Add(worst.TotalSeconds);
                Console.WriteLine($"trial {trial + 1}: killed 127.0.0.{victim + 2} after {killAfter} items; {(error is null ? "completed" : error.GetType().Name)}, " +
                    $"{missing} missing, {doubled} duplicated, worst gap in ordered delivery after the kill {worst.TotalSeconds:0.00} s");

                // The host comes back (same address and ports) before the next trial.
                await silos[victim]!.StopAsync(TimeSpan.FromSeconds(5));
                silos[victim] = await StartAsync(victim);
                engine = await WaitForAsync(connection, 3);
            }

            stalls.Sort();
            Console.WriteLine();
            Console.WriteLine("| Measurement | Result |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| {TrivialItems:N0} trivial items, sequential in-process | {seq.Report.WallTime.TotalMilliseconds:0} ms |");
            Console.WriteLine($"| {TrivialItems:N0} trivial items, 3 hosts, adaptive batching | {cluster.Report.WallTime.TotalMilliseconds:0} ms in {cluster.Report.Batches:N0} batches |");
            Console.WriteLine($"| per-item overhead with batching | {overhead:0.00} µs |");
            Console.WriteLine($"| per item with BatchSize = 1 (2,000 items) | {single.Report.WallTime.TotalMicroseconds / 2_000:0} µs |");
            Console.WriteLine($"| silo kills survived (every item exactly once) | {survived} / {trials} |");
            Console.WriteLine($"| items lost, duplicated | {lost}, {duplicates} |");
            Console.WriteLine($"| failover stall (longest gap in ordered delivery after the kill): median, worst | {stalls[stalls.Count / 2]:0.0} s, {stalls[^1]:0.0} s |");
            return survived == trials ? 0 : 1;
        }
        finally
        {
            await Task.WhenAll(silos.Where(s => s is not null).Select(s => s!.StopAsync(TimeSpan.FromSeconds(10))));
            redis.Kill();
            await redis.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }

        Task<LocalSiloProcess> StartAsync(int host) => LocalSiloProcess.StartAsync(
            ClusterBenchmark.SiloCommand(ports[0], ports[1], ports[0], Hosts[host].ToString(), membership, clusterId), TimeSpan.FromSeconds(90));
    }

    private static async Task<ClusterEngine> WaitForAsync(ClusterConnection connection, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // A killed silo stays "active" until the others declare it dead; its probe times out and it is left out.
            var engine = await connection.CreateEngineAsync(new ClusterEngineOptions { PrepareTimeout = TimeSpan.FromSeconds(5) });
            if ((await engine.DiscoverAsync()).Count >= count || clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                return engine;
            }

            await Task.Delay(500);
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
