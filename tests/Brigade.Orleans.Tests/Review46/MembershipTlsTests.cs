using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: the deployment docs/cluster.md describes (a membership store, mutual TLS) told a client without a
/// certificate "no silo of cluster 'brigade' answered within 10 s (the store answers: is 'brigade' the silos'
/// --cluster-id ...?)": the TLS probe that says why ran only for clients given gateway ports. It now probes a gateway the
/// store lists. The silo (Redis membership, mutual TLS) is the collection's <see cref="TlsSilo"/>, shared with
/// <see cref="TlsTests"/>.
/// </summary>
[Collection("clients")]
public sealed class MembershipTlsTests(TlsSilo tls, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task ClientWithoutCertificate_ThroughTheMembershipStore_IsToldTheSiloRequiresTls()
    {
        var (_, gateway, membership, _, _) = await tls.StartAsync();

        var (code, stdout, stderr, elapsed) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(60), "cluster", "status", "--membership", membership);
        output.WriteLine($"exit {code} in {elapsed.TotalSeconds:0.0} s: {stderr}");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"the gateway at 127.0.0.1:{gateway} requires TLS (CN=silo) and this client has none", line, StringComparison.Ordinal);
        Assert.DoesNotContain("--cluster-id", line, StringComparison.Ordinal);
    }
}
