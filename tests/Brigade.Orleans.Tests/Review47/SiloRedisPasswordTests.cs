using System.Net;
using Brigade.Orleans.Tests.Deployment;
using Microsoft.Extensions.Hosting;

namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// Review 47: a silo whose Redis URI had a wrong password started Orleans anyway, which retried the store for 39 s and
/// logged its lifecycle failures before the silo gave up with Orleans' own error. The silo now asks the store first and
/// fails its start at once, saying the store refuses it. (A real redis-server with a password; the silo in-process.)
/// </summary>
public sealed class SiloRedisPasswordTests(PasswordRedisServer redis) : IClassFixture<PasswordRedisServer>
{
    private const string Password = PasswordRedisServer.Password;
    private readonly int _port = redis.Port;

    [Theory(Timeout = 30_000)]
    [InlineData("nope")]
    [InlineData(null)]
    public async Task WrongOrMissingPassword_FailsTheSilosStartAtOnce_SayingTheStoreRefusesIt(string? password)
    {
        var ports = FreePorts.On([IPAddress.Loopback], 2);
        var options = new BrigadeSiloOptions
        {
            Membership = ClusterMembership.Parse(password is null ? $"redis://127.0.0.1:{_port}" : $"redis://:{password}@127.0.0.1:{_port}"),
            ClusterId = "r47",
            SiloPort = ports[0],
            GatewayPort = ports[1],
        };
        options.WorkAssemblies.Add(typeof(Square).Assembly);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseBrigadeSilo(options);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("the membership store refuses this silo", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{_port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }
}
