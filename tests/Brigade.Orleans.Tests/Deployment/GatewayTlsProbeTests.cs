using System.Net;
using System.Net.Sockets;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>The TLS probe against endpoints that are not silos: it names a refusal only when it can tell one.</summary>
public sealed class GatewayTlsProbeTests
{
    [Fact]
    public async Task TlsClient_AgainstAnEndpointThatClosesOnTheHandshake_SaysItDidNotAnswerTls()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-probe-").FullName;
        try
        {
            using var certificates = new TestCertificates(directory, "probe");
            var loaded = ClusterSetup.Load(new ClusterTlsOptions { CertificatePath = certificates.Issue("client"), CertificateAuthorityPath = certificates.AuthorityPath });
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var closing = ClosesOnFirstBytesAsync(listener);

            var refusal = await GatewayTlsProbe.RefusalAsync((IPEndPoint)listener.LocalEndpoint, loaded, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.NotNull(refusal);
            Assert.Contains("did not answer the TLS handshake", refusal, StringComparison.Ordinal);
            await closing;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task PlainClient_AgainstAPlainEndpoint_SaysNothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closing = ClosesOnFirstBytesAsync(listener);

        var refusal = await GatewayTlsProbe.RefusalAsync((IPEndPoint)listener.LocalEndpoint, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(refusal);
        await closing;
    }

    [Fact]
    public async Task NothingListening_SaysNothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();

        Assert.Null(await GatewayTlsProbe.RefusalAsync(endpoint, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    // What a silo without TLS does with a TLS handshake: reads it as a bad preamble and closes the connection.
    private static async Task ClosesOnFirstBytesAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var buffer = new byte[64];
        _ = await client.GetStream().ReadAsync(buffer);
    }
}
