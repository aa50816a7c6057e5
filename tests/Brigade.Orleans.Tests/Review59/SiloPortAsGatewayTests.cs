using System.Net;
using System.Net.Sockets;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans.Tests.Review59;

// Review 59, by hand: `brigade run --engine cluster --gateway 12111` (a silo's --port, not its --gateway-port) was told
// "it answered with 64 bytes that are neither TLS nor Orleans", and the in-process client probe of a silo port said nothing
// at all (the client waited out its timeout). A silo port speaks first (Orleans' preamble, written as it accepts); a
// gateway waits for the client's. These use an endpoint that speaks first as a silo port does (the first bytes a real
// silo port sent, review 59); the real silo with TLS is in SiloPortWithTlsTests.
public sealed class SiloPortAsGatewayTests
{
    // What `brigade silo`'s silo port 127.0.0.1:12111 sent first, before the client said anything (its preamble's length, 92, then the start of the preamble).
    private static readonly byte[] SiloPreamble = Convert.FromHexString("5c00000020081503212020604256ea2a41117379732e7369");

    [Fact(Timeout = 60_000)]
    public async Task AnEndpointThatSpeaksFirstAsASiloPortDoes_IsNamedAsASiloPort()
    {
        using var siloPort = Speaking.First(SiloPreamble);

        var refusal = await GatewayTlsProbe.RefusalAsync(siloPort.EndPoint, null, CancellationToken.None);

        Assert.Equal(
            $"what listens at {siloPort.EndPoint} is a silo's silo-to-silo port, not its gateway: it spoke first, as only a silo port does " +
            $"(give the silos' --gateway-port, 30000 unless they were started with another; {siloPort.EndPoint.Port} is a --port)",
            refusal);
    }

    [Fact(Timeout = 60_000)]
    public async Task AServerWithABanner_IsNotAGateway_WithItsBanner()
    {
        using var ssh = Speaking.First("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"u8.ToArray());

        var refusal = await GatewayTlsProbe.RefusalAsync(ssh.EndPoint, null, CancellationToken.None);

        Assert.Equal($"what listens at {ssh.EndPoint} is not a silo's gateway: it answered with \"SSH-2.0-OpenSSH_9.2p1 Debian-2\" (is {ssh.EndPoint.Port} the silos' --gateway-port?)", refusal);
    }

    // The client end to end, in-process: it fails at the probe, about a second after it starts, not after its timeout (100 s;
    // the test's own limit, 60 s, fails a client that waits).
    [Fact(Timeout = 60_000)]
    public async Task AClientGivenASiloPort_FailsSayingSo_BeforeItsTimeout()
    {
        using var siloPort = Speaking.First(SiloPreamble);
        var options = new ClusterConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(100) };
        options.GatewayPorts.Add(siloPort.EndPoint.Port);

        var e = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ClusterConnection.ConnectAsync(options));

        Assert.Contains("is a silo's silo-to-silo port, not its gateway", e.Message, StringComparison.Ordinal);
    }

    // A loopback listener that sends the given bytes as it accepts each connection, then waits for it to close.
    private sealed class Speaking : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        private Speaking(byte[] first)
        {
            _listener.Start();
            _ = ServeAsync(first);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public static Speaking First(byte[] first) => new(first);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(byte[] first)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = HoldAsync(client, first);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    // Stopped.
                }
            }
        }

        private async Task HoldAsync(TcpClient client, byte[] first)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    await stream.WriteAsync(first, _stop.Token);
                    while (await stream.ReadAsync(new byte[4096], _stop.Token) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    // The client went away, or the test ended.
                }
            }
        }
    }
}
