using System.Globalization;
using System.Net;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>A silo with mutual TLS serves clients holding a certificate its CA signed and refuses the others in one line.</summary>
[Collection("clients")]
public sealed class TlsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact(Timeout = 240_000)]
    public async Task TlsSilo_RefusesAClientWithoutTheCertificate_InOneLine_AndServesOneWithIt()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var directory = Directory.CreateTempSubdirectory("brigade-tls-").FullName;
        try
        {
            using var cluster = new TestCertificates(directory, "cluster");
            using var stranger = new TestCertificates(directory, "stranger");
            var siloCert = cluster.Issue("silo");
            var clientCert = cluster.Issue("client");
            var strangerCert = stranger.Issue("intruder");
            var ports = FreePorts.On([IPAddress.Loopback], 2).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
            await using var silos = new SiloSet();
            var silo = await silos.StartAsync("--port", ports[0], "--gateway-port", ports[1], "--primary-port", ports[0], "--tls-cert", siloCert, "--tls-ca", cluster.AuthorityPath);
            Assert.Contains(", TLS,", silo.ReadyLine, StringComparison.Ordinal);

            output.WriteLine($"silo ready after {clock.Elapsed.TotalSeconds:0.0} s");

            // The refused clients are told why (GatewayTlsProbe) instead of waiting out their connect timeout, and the
            // admitted one needs no other client to end first: all side by side, each its own process with its own
            // connection to the silo.
            var plainTask = StatusAsync("--gateway", ports[1]);
            var wrongAuthorityTask = StatusAsync("--gateway", ports[1], "--tls-cert", strangerCert, "--tls-ca", stranger.AuthorityPath);
            var wrongCertificateTask = StatusAsync("--gateway", ports[1], "--tls-cert", strangerCert, "--tls-ca", cluster.AuthorityPath);
            var admittedTask = StatusAsync("--gateway", ports[1], "--tls-cert", clientCert, "--tls-ca", cluster.AuthorityPath, "--cluster-timeout", "45s");
            var (plain, wrongAuthority, wrongCertificate, admitted) = (await plainTask, await wrongAuthorityTask, await wrongCertificateTask, await admittedTask);
            output.WriteLine($"clients done after {clock.Elapsed.TotalSeconds:0.0} s");

            foreach (var ((code, stdout, stderr), why) in new[]
            {
                (plain, "requires TLS"),
                (wrongAuthority, "the given certificate authority did not sign"),
                (wrongCertificate, "turned this client's certificate down"),
            })
            {
                output.WriteLine(stderr);
                Assert.Equal(1, code);
                Assert.Equal("", stdout);
                var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("brigade: cluster status: Could not connect to the cluster 'brigade'", line, StringComparison.Ordinal);
                Assert.Contains(why, line, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            }

            Assert.True(admitted.Code == 0, admitted.Stderr);
            Assert.Contains(": 1 silo,", admitted.Stdout, StringComparison.Ordinal);
            Assert.False(silo.HasExited);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<(int Code, string Stdout, string Stderr)> StatusAsync(params string[] args)
    {
        var (code, stdout, stderr, elapsed) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(90), ["cluster", "status", .. args]);
        output.WriteLine($"cluster status {string.Join(' ', args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))}: exit {code} in {elapsed.TotalSeconds:0.0} s");
        return (code, stdout, stderr);
    }
}
