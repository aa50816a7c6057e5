using System.Net;
using System.Net.Sockets;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans.Tests.Review58;

// Review 58, by hand: `brigade run --engine cluster --gateway 42010` where `python3 -m http.server 42010` listened waited
// out its whole connect timeout, then said "no gateway answered within 30 s (are silos of cluster 'brigade' running
// there?...)": something did answer, and it was no silo. The gateway probe (which already told TLS disagreements at once)
// now tells an endpoint that answers its TLS handshake with something that is neither TLS nor silence.
public sealed class NotAGatewayTests
{
    [Fact(Timeout = 60_000)]
    public async Task AnHttpServerAtTheGatewayPort_IsNamedAsNotAGateway_WithItsAnswer()
    {
        using var server = Endpoint.Answering("HTTP/1.0 400 Bad request\r\nContent-Type: text/html\r\n\r\n<html></html>"u8.ToArray());

        var refusal = await GatewayTlsProbe.RefusalAsync(server.EndPoint, null, CancellationToken.None);

        Assert.Equal($"what listens at {server.EndPoint} is not a silo's gateway: it answered with \"HTTP/1.0 400 Bad request\" (is {server.EndPoint.Port} the silos' --gateway-port?)", refusal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ABinaryAnswer_IsCountedInBytes()
    {
        using var server = Endpoint.Answering([0x00, 0x00, 0x00, 0x0a, 0xff, 0x01, 0x02, 0x03]);

        var refusal = await GatewayTlsProbe.RefusalAsync(server.EndPoint, null, CancellationToken.None);

        Assert.Contains("is not a silo's gateway: it answered with 8 bytes that are neither TLS nor Orleans", refusal, StringComparison.Ordinal);
    }

    // What a silo without TLS does with a TLS handshake (seen with a real `brigade silo`): closes without a word. Not a
    // refusal the probe can tell: the client's own outcome stands.
    [Fact(Timeout = 60_000)]
    public async Task AnEndpointThatClosesWithoutAWord_IsNotRefused()
    {
        using var server = Endpoint.Answering([]);

        Assert.Null(await GatewayTlsProbe.RefusalAsync(server.EndPoint, null, CancellationToken.None));
    }

    // The client end to end, in-process (no silo): it fails at the probe, a second after it starts, not after its timeout.
    [Fact(Timeout = 120_000)]
    public async Task AClientPointedAtAnHttpServer_FailsSayingSo_BeforeItsTimeout()
    {
        using var server = Endpoint.Answering("HTTP/1.0 400 Bad request\r\n\r\n"u8.ToArray());
        var options = new ClusterConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(100) };
        options.GatewayPorts.Add(server.EndPoint.Port);

        var e = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ClusterConnection.ConnectAsync(options));

        Assert.Contains($"is not a silo's gateway: it answered with \"HTTP/1.0 400 Bad request\"", e.Message, StringComparison.Ordinal);
    }

    // A loopback listener that reads what each connection sends first, answers with the given bytes and closes it.
    private sealed class Endpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        private Endpoint(byte[] answer)
        {
            _listener.Start();
            _ = ServeAsync(answer);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public static Endpoint Answering(byte[] answer) => new(answer);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(byte[] answer)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    _ = await stream.ReadAsync(new byte[4096], _stop.Token);
                    await stream.WriteAsync(answer, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    // Stopped, or a client that went away first (the next one is served all the same).
                }
            }
        }
    }
}
