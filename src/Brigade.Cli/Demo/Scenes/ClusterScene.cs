using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Work;
using Brigade.Orleans;
using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// The CPU-bound work across two silo processes of a local Orleans cluster: which silo ran what, against one core.
/// Opt-in (<c>--cluster</c>): it starts processes. Given a running cluster (<c>demo --membership URI</c> or
/// <c>--gateway PORT</c>, with <c>--cluster-id</c> and TLS options as for <c>brigade run</c>), it runs on that cluster's
/// silos instead, which must accept the CLI's work types (every <c>brigade silo</c> does).
/// </summary>
internal sealed class ClusterScene : IDemoScene
{
    public const string SceneId = "cluster";

    private static readonly TimeSpan SiloReadyTimeout = TimeSpan.FromSeconds(90);

    public string Id => SceneId;

    public string Title => "The same run across machines: two silo processes of an Orleans cluster";

    public bool RunsByDefault => false;

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var cores = Environment.ProcessorCount;
        long limit = context.Quick ? 6_000_000 : 15_000_000;
        const int Slices = 64;
        var slices = Enumerable.Range(0, Slices).Select(i => new PrimeSlice(limit * i / Slices, limit * (i + 1) / Slices)).ToArray();
        var label = $"primes below {limit:N0}, {Slices} slices";

        if (context.Cluster is { } existing)
        {
            return await RunOnClusterAsync(context, result, existing, slices, label, cancellationToken).ConfigureAwait(false);
        }

        var ports = FreePorts(4);
        var silos = new List<LocalSiloProcess>();
        try
        {
            // Both silos share this machine: each gets half the cores, so the two together use every core once.
            var perSilo = Math.Max(1, cores / 2);
            context.Live($"[grey]starting two silo processes (localhost clustering, loopback only, ports {ports[0]}/{ports[2]} and {ports[1]}/{ports[3]})…[/]");
            var startWatch = Stopwatch.StartNew();
            var primary = LocalSiloProcess.StartAsync(SiloCommandLine(ports[0], ports[2], ports[0]), SiloReadyTimeout, cancellationToken);
            var secondary = LocalSiloProcess.StartAsync(SiloCommandLine(ports[1], ports[3], ports[0]), SiloReadyTimeout, cancellationToken);
            silos.AddRange(await WhenAllStarted(primary, secondary).ConfigureAwait(false));
            context.Live($"[grey]silos ready in {startWatch.Elapsed.TotalSeconds:0.0} s (pids {string.Join(", ", silos.Select(s => s.ProcessId))})[/]");

            var connection = new ClusterConnectionOptions();
            connection.GatewayPorts.Add(ports[2]);
            connection.GatewayPorts.Add(ports[3]);
            var cluster = await ClusterConnection.ConnectAsync(connection, cancellationToken).ConfigureAwait(false);
            await using var disconnect = cluster.ConfigureAwait(false);
            var engine = await WaitForSilosAsync(cluster, perSilo, 2, cancellationToken).ConfigureAwait(false);

            // Warm up both silos (first calls compile the grain, JSON and work code) and this process's copy of the work.
            _ = await Runner.MapAsync(slices.Take(8), new CountPrimesWork(), DemoContext.Options(engine, "warm-up"), cancellationToken).ConfigureAwait(false);
            _ = Workloads.CountPrimes(0, 20_000);

            var seq = await Runner.MapAsync(slices, new CountPrimesWork(), DemoContext.Options(Engine.Sequential, label), cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(seq.Report, seq.Report.WallTime, 1));
            var run = await Runner.MapAsync(slices, new CountPrimesWork(), DemoContext.Options(engine, label), cancellationToken).ConfigureAwait(false);
            var record = context.Record(run.Report, seq.Report.WallTime, Math.Min(cores, 2 * perSilo));
            result.Runs.Add(record);

            foreach (var (silo, items) in record.ItemsPerLocation ?? [])
            {
                var batches = run.Report.Workers.Where(w => w.Location == silo).Sum(w => w.Batches);
                context.Live($"  silo [bold]{Markup.Escape(silo)}[/]: {items} items in {batches} batches");
            }

            var same = seq.Values.Sum() == run.Values.Sum();
            var speedup = seq.Report.WallTime / run.Report.WallTime;
            var spread = string.Join(" and ", (record.ItemsPerLocation ?? []).Select(p => $"{p.Value} on silo {p.Key}"));
            result.Conclusion =
                $"{run.Values.Sum():N0} primes: {seq.Report.WallTime.TotalSeconds:0.00} s on one core here, {run.Report.WallTime.TotalSeconds:0.00} s on two silo processes " +
                $"({spread}): {speedup.ToString("0.00", CultureInfo.InvariantCulture)}×{(same ? "" : " — RESULTS DIFFER")}. " +
                "Inputs and results crossed as JSON; the same run goes to more machines by starting silos there.";
        }
        finally
        {
            // Always, also on Ctrl+C or failure: close each silo's standard input, wait, kill what remains.
            await Task.WhenAll(silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(15)))).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The same comparison on a cluster that is already running: every silo with a slot per core.</summary>
    private static async Task<SceneResult> RunOnClusterAsync(DemoContext context, SceneResult result, ClusterConnectionOptions target, PrimeSlice[] slices, string label, CancellationToken cancellationToken)
    {
        context.Live($"[grey]connecting to the cluster '{Markup.Escape(target.ClusterId)}' ({Markup.Escape(Commands.ClusterClientOptions.Describe(target))})…[/]");
        var cluster = await ClusterConnection.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        await using var disconnect = cluster.ConfigureAwait(false);
        var engine = await cluster.CreateEngineAsync(null, cancellationToken).ConfigureAwait(false);
        var silos = await engine.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var slots = silos.Sum(s => s.Workers);
        context.Live($"[grey]{silos.Count} silo(s), {slots} worker slots: {Markup.Escape(string.Join(", ", silos.Select(s => $"{s.Address} ×{s.Workers}")))}[/]");

        _ = await Runner.MapAsync(slices.Take(8), new CountPrimesWork(), DemoContext.Options(engine, "warm-up"), cancellationToken).ConfigureAwait(false);
        _ = Workloads.CountPrimes(0, 20_000);
        var seq = await Runner.MapAsync(slices, new CountPrimesWork(), DemoContext.Options(Engine.Sequential, label), cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(seq.Report, seq.Report.WallTime, 1));
        var run = await Runner.MapAsync(slices, new CountPrimesWork(), DemoContext.Options(engine, label), cancellationToken).ConfigureAwait(false);
        var record = context.Record(run.Report, seq.Report.WallTime, slots);
        result.Runs.Add(record);
        foreach (var (silo, items) in record.ItemsPerLocation ?? [])
        {
            context.Live($"  silo [bold]{Markup.Escape(silo)}[/]: {items} items");
        }

        var same = seq.Values.Sum() == run.Values.Sum();
        result.Conclusion =
            $"{run.Values.Sum():N0} primes: {seq.Report.WallTime.TotalSeconds:0.00} s on one core here, {run.Report.WallTime.TotalSeconds:0.00} s on {silos.Count} silo(s) of the cluster " +
            $"'{target.ClusterId}' ({slots} slots): {(seq.Report.WallTime / run.Report.WallTime).ToString("0.00", CultureInfo.InvariantCulture)}×{(same ? "" : " — RESULTS DIFFER")}.";
        return result;
    }

    private static async Task<LocalSiloProcess[]> WhenAllStarted(params Task<LocalSiloProcess>[] starting)
    {
        try
        {
            return await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch
        {
            // One failed or was cancelled: stop the ones that did start before reporting.
            foreach (var task in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await task.Result.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task<ClusterEngine> WaitForSilosAsync(ClusterConnection cluster, int perSilo, int expected, CancellationToken cancellationToken)
    {
        var options = new ClusterEngineOptions { WorkersPerSilo = perSilo };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var engine = await cluster.CreateEngineAsync(options, cancellationToken).ConfigureAwait(false);
            var silos = await engine.DiscoverAsync(cancellationToken).ConfigureAwait(false);
            if (silos.Count >= expected || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return silos.Count >= expected
                    ? engine
                    : throw new InvalidOperationException($"only {silos.Count} of {expected} silos joined the cluster within 30 s");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>This CLI, run again as <c>brigade silo</c>: through the apphost, or through <c>dotnet</c> with the CLI's dll.</summary>
    private static ProcessStartInfo SiloCommandLine(int siloPort, int gatewayPort, int primaryPort)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host);
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(ClusterScene).Assembly.Location);
        }

        foreach (var arg in (string[])["silo", "--port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--primary-port", $"{primaryPort}", "--exit-on-stdin-close"])
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    // Ports picked by the OS on loopback, so that several demos (or other engineers' silos) on one machine never clash.
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
