using System.Globalization;
using System.Net;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: the deployment docs/cluster.md describes (a membership store, mutual TLS) told a client without a
/// certificate "no silo of cluster 'brigade' answered within 10 s (the store answers: is 'brigade' the silos'
/// --cluster-id ...?)": the TLS probe that says why ran only for clients given gateway ports. It now probes a gateway the
/// store lists.
/// </summary>
[Collection("clients")]
public sealed class MembershipTlsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task ClientWithoutCertificate_ThroughTheMembershipStore_IsToldTheSiloRequiresTls()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r46-tls-").FullName;
        try
        {
            using var certificates = new TestCertificates(directory, "cluster");
            var siloCertificate = certificates.Issue("silo");
            using var redis = new RedisServer();
            await redis.InitializeAsync();
            var ports = FreePorts.On([IPAddress.Loopback], 2).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
            await using var silos = new SiloSet();
            await silos.StartAsync("--port", ports[0], "--gateway-port", ports[1], "--membership", redis.Uri, "--tls-cert", siloCertificate, "--tls-ca", certificates.AuthorityPath);

            var (code, stdout, stderr, elapsed) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(60), "cluster", "status", "--membership", redis.Uri);
            output.WriteLine($"exit {code} in {elapsed.TotalSeconds:0.0} s: {stderr}");

            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"the gateway at 127.0.0.1:{ports[1]} requires TLS (CN=silo) and this client has none", line, StringComparison.Ordinal);
            Assert.DoesNotContain("--cluster-id", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
