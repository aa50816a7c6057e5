using System.Diagnostics;
using System.Globalization;
using System.Net;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review60Lead;

/// <summary>
/// Review 60, by hand: a silo frozen (<c>kill -STOP</c>) until the other declared it dead, then resumed (<c>kill -CONT</c>),
/// ended through Orleans' fatal-error handler: "FATAL EXCEPTION from ..." with the whole current stack (about 40 lines),
/// then <c>Environment.FailFast</c> (exit 134, SIGABRT). It now stops with one verdict line, its last, and exits 1.
/// </summary>
public sealed class DeclaredDeadSiloTests
{
    [Fact(Timeout = 240_000)]
    public async Task ASiloDeclaredDead_ThenResumed_StopsWithOneLine_AndExit1()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var ports = FreePorts.On([IPAddress.Loopback], 4).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
        using var primary = SiloProcess.Start("silo", "--port", ports[0], "--gateway-port", ports[1], "--primary-port", ports[0], "--failure-detection", "fast", "--exit-on-stdin-close");
        using var frozen = SiloProcess.Start("silo", "--port", ports[2], "--gateway-port", ports[3], "--primary-port", ports[0], "--failure-detection", "fast", "--exit-on-stdin-close");
        try
        {
            await primary.ReadyAsync();
            await frozen.ReadyAsync();

            // One client of the primary's, connected before the freeze, asks what `brigade cluster status --gateway` asks
            // (ClusterEngine.DiscoverAllAsync: the silos membership holds active, each answering or not). It polled with a
            // `brigade cluster status` process a second, ~1.5 s of CPU each, some ten of them before the silo was declared dead.
            var connection = new ClusterConnectionOptions();
            connection.GatewayPorts.Add(int.Parse(ports[1], CultureInfo.InvariantCulture));
            await using var cluster = await ClusterConnection.ConnectAsync(connection);
            var engine = new ClusterEngine(cluster.Client, new ClusterEngineOptions { PrepareTimeout = TimeSpan.FromSeconds(10) });   // status's default
            frozen.Signal("STOP");
            try
            {
                // Until the primary's view of the cluster has only itself: the frozen silo was declared dead.
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    // Not yet, as a failed `brigade cluster status` was: membership itself may not answer while the frozen silo
                    // still holds the management grain (its activation moves to the primary once the silo is declared dead).
                    string status;
                    try
                    {
                        var silos = await engine.DiscoverAllAsync();
                        status = string.Join(", ", silos.Select(s => $"{s.Address} {s.NotAnswering ?? "answers"}"));
                        if (silos.Count == 1 && !silos.Any(s => s.Address.EndsWith($":{ports[2]}", StringComparison.Ordinal)))
                        {
                            break;
                        }
                    }
                    catch (ClusterUnavailableException e)
                    {
                        status = e.Message;
                    }

                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"the frozen silo was not declared dead within 150 s: {status}");
                    await Task.Delay(1000);
                }
            }
            finally
            {
                frozen.Signal("CONT");
            }

            await frozen.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var log = frozen.Log();
            Assert.True(frozen.Process.ExitCode == 1, $"exit {frozen.Process.ExitCode}:\n{log}");
            var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith($"brigade silo 127.0.0.1:{ports[2]}: stopped by the cluster: the other silos declared it dead", lines[^1], StringComparison.Ordinal);
            Assert.DoesNotContain("FATAL EXCEPTION", log, StringComparison.Ordinal);
            Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        }
        finally
        {
            primary.Stop();
            frozen.Stop();
        }
    }
}
