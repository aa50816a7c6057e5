namespace Brigade.Orleans.Tests.Deployment;

/// <summary>A silo with mutual TLS serves clients holding a certificate its CA signed and refuses the others in one line.</summary>
/// <remarks>The silo is the collection's <see cref="TlsSilo"/> (Redis membership, gateway port given), which
/// <see cref="Review46.MembershipTlsTests"/> shares; these clients reach it by its gateway port.</remarks>
[Collection("clients")]
public sealed class TlsTests(TlsSilo tls, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact(Timeout = 240_000)]
    public async Task TlsSilo_RefusesAClientWithoutTheCertificate_InOneLine_AndServesOneWithIt()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (silo, gateway, _, cluster, stranger) = await tls.StartAsync();
        var clientCert = cluster.Issue("client");
        var strangerCert = stranger.Issue("intruder");
        Assert.Contains(", TLS,", silo.ReadyLine, StringComparison.Ordinal);

        output.WriteLine($"silo ready after {clock.Elapsed.TotalSeconds:0.0} s");

        // The refused clients are told why (GatewayTlsProbe) instead of waiting out their connect timeout, and the
        // admitted one needs no other client to end first: all side by side, each its own process with its own
        // connection to the silo.
        var plainTask = StatusAsync("--gateway", gateway);
        var wrongAuthorityTask = StatusAsync("--gateway", gateway, "--tls-cert", strangerCert, "--tls-ca", stranger.AuthorityPath);
        var wrongCertificateTask = StatusAsync("--gateway", gateway, "--tls-cert", strangerCert, "--tls-ca", cluster.AuthorityPath);
        var admittedTask = StatusAsync("--gateway", gateway, "--tls-cert", clientCert, "--tls-ca", cluster.AuthorityPath, "--cluster-timeout", "45s");
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

    private async Task<(int Code, string Stdout, string Stderr)> StatusAsync(params string[] args)
    {
        var (code, stdout, stderr, elapsed) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(90), ["cluster", "status", .. args]);
        output.WriteLine($"cluster status {string.Join(' ', args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))}: exit {code} in {elapsed.TotalSeconds:0.0} s");
        return (code, stdout, stderr);
    }
}
