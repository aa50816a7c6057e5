using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: a client whose Redis URI had a wrong password, or none for a store that requires one, was told "no silo of
/// cluster 'prod' answered within 10 s (the store answers: is 'prod' the silos' --cluster-id ...?)" after its connect
/// timeout. It is now told at once that the store refuses it. (A real redis-server with a password; no silo.)
/// </summary>
public sealed class RedisPasswordTests(PasswordRedisServer redis) : IClassFixture<PasswordRedisServer>
{
    private const string Password = PasswordRedisServer.Password;
    private readonly int _port = redis.Port;

    [Theory(Timeout = 30_000)]
    [InlineData("nope")]
    [InlineData(null)]
    public async Task WrongOrMissingPassword_IsSaidAtOnce_NotBlamedOnTheClusterId(string? password)
    {
        var uri = password is null ? $"redis://127.0.0.1:{_port}" : $"redis://:{password}@127.0.0.1:{_port}";
        var options = new ClusterConnectionOptions { Membership = ClusterMembership.Parse(uri), ClusterId = "prod", ConnectTimeout = TimeSpan.FromSeconds(3) };

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(async () => await (await ClusterConnection.ConnectAsync(options)).DisposeAsync());

        Assert.Contains("the membership store refuses this client", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--cluster-id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task RightPassword_GoesOnToLookForSilos()
    {
        var options = new ClusterConnectionOptions
        {
            Membership = ClusterMembership.Parse($"redis://:{Password}@127.0.0.1:{_port}"),
            ClusterId = "prod",
            ConnectTimeout = TimeSpan.FromSeconds(3),
        };

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(async () => await (await ClusterConnection.ConnectAsync(options)).DisposeAsync());

        Assert.Contains("no silo of cluster 'prod' answered", error.Message, StringComparison.Ordinal);
    }
}
