namespace Brigade.Orleans.Tests.Deployment;

/// <summary>Membership URIs and the silo's deployment options: parsed into Orleans' settings, or refused in one line.</summary>
public sealed class MembershipOptionTests
{
    [Theory]
    [InlineData("redis://10.0.0.5:6380", "10.0.0.5:6380", "redis://10.0.0.5:6380")]
    [InlineData("redis://redis-host", "redis-host:6379", "redis://redis-host:6379")]
    [InlineData("rediss://:s3cret@10.0.0.5:6380/2", "10.0.0.5:6380,password=s3cret,ssl=True,defaultDatabase=2", "redis://10.0.0.5:6380")]
    public void Parse_Redis_GivesAStackExchangeRedisConfiguration(string uri, string configuration, string shown)
    {
        var membership = ClusterMembership.Parse(uri);

        Assert.Equal(ClusterMembershipKind.Redis, membership.Kind);
        var expected = StackExchange.Redis.ConfigurationOptions.Parse(configuration);
        var actual = StackExchange.Redis.ConfigurationOptions.Parse(membership.ConnectionString);
        Assert.Equal(expected.EndPoints.Select(e => e.ToString()), actual.EndPoints.Select(e => e.ToString()));
        Assert.Equal(expected.Password, actual.Password);
        Assert.Equal(expected.Ssl, actual.Ssl);
        Assert.Equal(expected.DefaultDatabase, actual.DefaultDatabase);
        Assert.Equal(shown, membership.ToString());
        Assert.DoesNotContain("s3cret", membership.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Postgres_GivesAnNpgsqlConnectionString_WithQueryKeywords()
    {
        var membership = ClusterMembership.Parse("postgres://brigade:p%40ss@db.internal:5433/orleans?SSL%20Mode=Require&Timeout=5");

        Assert.Equal(ClusterMembershipKind.Postgres, membership.Kind);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(membership.ConnectionString);
        Assert.Equal(("db.internal", 5433, "brigade", "p@ss", "orleans"), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal(5, builder.Timeout);
        Assert.Equal("postgres://brigade@db.internal:5433/orleans", membership.ToString());
    }

    [Theory]
    [InlineData("localhost:6379", "is not a membership URI")]
    [InlineData("mysql://root:hunter2@db/orleans", "unknown membership store 'mysql'")]
    [InlineData("redis://host:6379/zero", "the path names a Redis database number")]
    [InlineData("postgres://u:hunter2@db/x?NoSuchKeyword=1", "'postgres://u:***@db/x?NoSuchKeyword=1'")]
    public void Parse_BadUris_AreOneLineFormatErrors_WithoutThePassword(string uri, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ClusterMembership.Parse(uri));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--membership", "ftp://x")]
    [InlineData("--address", "0.0.0.0")]
    [InlineData("--advertise", "0.0.0.0", "--address", "0.0.0.0")]
    [InlineData("--membership", "redis://127.0.0.1:1", "--primary-port", "11111")]
    [InlineData("--tls-cert", "/no/such/cert.pfx")]
    [InlineData("--tls-ca", "/tmp")]
    public async Task Silo_BadDeploymentOptions_AreOneLineUsageErrors(params string[] args)
    {
        var (code, _, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(50), ["silo", .. args]);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: ", line, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--port")]
    [InlineData("--gateway-port")]
    public async Task Silo_PortInUse_FailsInOneLineNamingIt_Exit1(string taken)
    {
        // Regression: Orleans' three lifecycle errors ('SiloConnectionListener' failed to start ...) came before the verdict.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var free = FreePorts.On([System.Net.IPAddress.Loopback], 1)[0];
        var (silo, gateway) = taken == "--port" ? (busy, free) : (free, busy);

        var (code, _, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(50),
            "silo", "--port", Text(silo), "--primary-port", Text(silo), "--gateway-port", Text(gateway));

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"brigade: port {Text(busy)} ({taken}) is in use on 127.0.0.1", line, StringComparison.Ordinal);

        static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_ClusterWithoutAReachableMembershipStore_FailsInOneLine()
    {
        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, "1\n");
            var free = FreePorts.On([System.Net.IPAddress.Loopback], 1)[0];
            var (code, _, stderr, elapsed) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(55),
                "run", input, "--assembly", BrigadeCli.WorkAssembly, "--work", typeof(Spin).FullName!, "--engine", "cluster", "--membership", $"redis://127.0.0.1:{free}");

            Assert.NotEqual(0, code);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("brigade: --engine cluster: Could not connect to the cluster 'brigade' through redis://127.0.0.1:", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Silo_MembershipStoreUnreachable_FailsInOneLine_NoStackTrace()
    {
        var free = FreePorts.On([System.Net.IPAddress.Loopback], 3);

        var (code, _, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(80),
            "silo", "--port", free[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", free[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--membership", $"redis://127.0.0.1:{free[0]}");

        Assert.Equal(1, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"brigade: the silo could not start on 127.0.0.1:{free[1]} (gateway {free[2]}, membership redis://127.0.0.1:{free[0]}): ", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("ServerGC", stderr, StringComparison.Ordinal);
    }
}
