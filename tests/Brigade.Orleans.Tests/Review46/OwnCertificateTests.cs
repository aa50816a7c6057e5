using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: a client (or silo) given an expired certificate, or one whose extended key usage leaves out clientAuth,
/// started, was turned down in the handshake and said "no silo answered within 10 s ... is 'prod' the silos'
/// --cluster-id?" (with a membership store) or "turned this client's certificate down (is it signed by the CA ...?)";
/// a password-protected .pfx read without a password said only "the password may be incorrect". Each is now said at
/// once, naming the certificate and what is wrong with it.
/// </summary>
public sealed class OwnCertificateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("brigade-r46-certs-").FullName;

    [Fact(Timeout = 30_000)]
    public async Task ExpiredCertificate_IsSaidAtOnce()
    {
        var path = Issue("expired", DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-30), clientAuth: true);

        var message = await ConnectAsync(path, password: null);

        Assert.Contains("(CN=expired) expired on ", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task CertificateWithoutClientAuth_IsSaidAtOnce()
    {
        var path = Issue("server-only", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), clientAuth: false);

        var message = await ConnectAsync(path, password: null);

        Assert.Contains("(CN=server-only) is not for client authentication: its extended key usage lacks clientAuth", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task PasswordProtectedPfx_WithoutPassword_SaysWhereThePasswordGoes()
    {
        var path = Issue("locked", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), clientAuth: true, password: "s3cret");

        var message = await ConnectAsync(path, password: null);

        Assert.Contains("cannot be read", message, StringComparison.Ordinal);
        Assert.Contains("$BRIGADE_TLS_PASSWORD", message, StringComparison.Ordinal);
        Assert.DoesNotContain("$BRIGADE_TLS_PASSWORD", await ConnectAsync(path, password: "wrong"), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // No silo listens on the gateway port: without the check, the client waits out its connect timeout (2 s here).
    private static async Task<string> ConnectAsync(string certificate, string? password)
    {
        var options = new ClusterConnectionOptions
        {
            GatewayPorts = { Deployment.FreePorts.On([IPAddress.Loopback], 1)[0] },
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Tls = new ClusterTlsOptions { CertificatePath = certificate, Password = password },
        };
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(async () => await (await ClusterConnection.ConnectAsync(options)).DisposeAsync());
        return error.Message;
    }

    private string Issue(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, bool clientAuth, string? password = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            clientAuth ? [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")] : [new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var path = Path.Combine(_directory, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }
}
