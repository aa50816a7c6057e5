using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Brigade.Orleans.Hosting;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// Review 47: a client with a certificate but no <c>--tls-ca</c>, facing a gateway whose certificate this machine does not
/// trust, was told the gateway's certificate was one "the given certificate authority did not sign": no authority was
/// given. It now says the machine's trusted authorities did not sign it, and that no --tls-ca was given.
/// (An in-process TLS listener, no silo.)
/// </summary>
public sealed class NoTlsCaWordingTests
{
    [Fact(Timeout = 30_000)]
    public async Task NoCertificateAuthorityGiven_TheRefusalSaysThisMachineDoesNotTrustIt_NotAGivenAuthority()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r47-ca-").FullName;
        try
        {
            using var certificates = new TestCertificates(directory, "r47");
            using var server = X509CertificateLoader.LoadPkcs12FromFile(certificates.Issue("silo"), null);
            var client = ClusterSetup.Load(new ClusterTlsOptions { CertificatePath = certificates.Issue("client") });
            Assert.Null(client.Authority);
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var serving = ServeOneHandshakeAsync(listener, server);

            var refusal = await GatewayTlsProbe.RefusalAsync((IPEndPoint)listener.LocalEndpoint, client, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

            Assert.NotNull(refusal);
            Assert.DoesNotContain("the given certificate authority", refusal, StringComparison.Ordinal);
            Assert.Contains("no certificate authority this machine trusts", refusal, StringComparison.Ordinal);
            Assert.Contains("no --tls-ca was given", refusal, StringComparison.Ordinal);
            await serving;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task ServeOneHandshakeAsync(TcpListener listener, X509Certificate2 certificate)
    {
        using var tcp = await listener.AcceptTcpClientAsync();
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await using (ssl)
        {
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
            {
                // The client turns the certificate down: the handshake ends here.
            }
        }
    }
}
