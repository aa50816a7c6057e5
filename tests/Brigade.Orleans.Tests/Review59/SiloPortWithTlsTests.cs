using System.Net;
using System.Text.RegularExpressions;
using Brigade.Orleans.Hosting;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review59;

/// <summary>
/// Review 59: with TLS a silo port says nothing until the handshake is over, then sends its preamble; the client's probe
/// took that for a gateway that accepted it, and the client waited out its timeout. A real silo: the "clients" collection's
/// TLS silo (<see cref="TlsSilo"/>, shared with the TLS tests; started by the first of them), probed at both its ports.
/// </summary>
[Collection("clients")]
public sealed partial class SiloPortWithTlsTests(TlsSilo tls)
{
    [Fact(Timeout = 240_000)]
    public async Task ATlsSilosSiloPort_IsNamedAsSuch_AndItsGatewayIsNot()
    {
        var (silo, gateway, _, cluster, _) = await tls.StartAsync();
        var client = ClusterSetup.Load(new ClusterTlsOptions { CertificatePath = cluster.Issue("r59-client"), CertificateAuthorityPath = cluster.AuthorityPath });
        var siloPort = new IPEndPoint(IPAddress.Loopback, int.Parse(SiloPortInReadyLine().Match(silo.ReadyLine).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        var atSiloPort = await GatewayTlsProbe.RefusalAsync(siloPort, client, CancellationToken.None);
        var atGateway = await GatewayTlsProbe.RefusalAsync(new IPEndPoint(IPAddress.Loopback, int.Parse(gateway, System.Globalization.CultureInfo.InvariantCulture)), client, CancellationToken.None);

        Assert.Equal(
            $"what listens at {siloPort} is a silo's silo-to-silo port, not its gateway: it spoke first after the TLS handshake, as only a silo port does " +
            $"(give the silos' --gateway-port, 30000 unless they were started with another; {siloPort.Port} is a --port)",
            atSiloPort);
        Assert.Null(atGateway);
    }

    [GeneratedRegex(@"silo 127\.0\.0\.1:(\d+)")]
    private static partial Regex SiloPortInReadyLine();
}
