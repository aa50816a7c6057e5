using System.Net;
using System.Net.Sockets;

namespace Brigade.Cli.Tests.Review59Cluster;

/// <summary>
/// Review 59: a port taken between `brigade silo`'s in-use check and Orleans' bind (another silo started at the same
/// moment) was named by binding the ports again after the host was gone: with its gateway port taken, the silo said
/// "port N (--port) is in use" of its own silo port, which it had not yet let go. The port is now told from what this
/// process still listens on, and the line says what happened. One silo start per case (about 3 s of CPU quiet), ended at
/// its first log line's bind failure.
/// </summary>
public sealed class SiloPortRaceTests
{
    [Theory(Timeout = 180_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task APortTakenAsTheSiloStarts_IsNamedWithItsOption(bool gatewayTaken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // A try whose bind came too late (the silo started: its listeners hold the port) is tried again on other ports.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var dir = new TempDirectory();
            var (port, gateway) = TwoFreePorts();
            using var silo = CliProcess.StartInOwnGroup(dir.Path, "silo", "--port", $"{port}", "--gateway-port", $"{gateway}", "--primary-port", $"{port}", "--verbose");
            try
            {
                // The in-use check is over before the host logs anything; Orleans binds later in its start.
                var stderr = new List<string>();
                var first = await silo.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
                Assert.True(first is not null, "the silo wrote nothing on stderr");
                using var taker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    taker.Bind(new IPEndPoint(IPAddress.Loopback, gatewayTaken ? gateway : port));
                    taker.Listen();
                }
                catch (SocketException)
                {
                    continue;
                }

                string? line;
                while ((line = await silo.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90))) is not null)
                {
                    stderr.Add(line);
                }

                await silo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                var verdict = stderr.LastOrDefault(l => l.StartsWith("brigade", StringComparison.Ordinal));
                Assert.Equal(1, silo.ExitCode);
                var (taken, option) = gatewayTaken ? (gateway, "--gateway-port") : (port, "--port");
                Assert.Equal(
                    $"brigade: port {taken} ({option}) on 127.0.0.1 was taken by another process while this silo started (another silo started at the same moment?): " +
                    $"this silo stopped; start it again once the other has started, or give each silo its own {option}",
                    verdict);
                return;
            }
            finally
            {
                if (!silo.HasExited)
                {
                    silo.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.Fail("the silo bound its ports before the test could take one, three times");
    }

    private static (int Port, int Gateway) TwoFreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }
}
