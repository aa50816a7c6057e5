using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: a client whose Redis URI had a wrong password, or none for a store that requires one, was told "no silo of
/// cluster 'prod' answered within 10 s (the store answers: is 'prod' the silos' --cluster-id ...?)" after its connect
/// timeout. It is now told at once that the store refuses it. (A real redis-server with a password; no silo.)
/// </summary>
public sealed class RedisPasswordTests : IAsyncLifetime, IDisposable
{
    private const string Password = "r46-secret";
    private ChildProcess? _redis;
    private string? _directory;
    private int _port;

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

    public async Task InitializeAsync()
    {
        ServiceBinaries.Require("/usr/bin/redis-server", "redis-server");
        _directory = Directory.CreateTempSubdirectory("brigade-r46-redis-").FullName;
        _port = FreePorts.On([IPAddress.Loopback], 1)[0];
        _redis = new ChildProcess("/usr/bin/redis-server", "--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _directory, "--requirepass", Password);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException) when (!_redis.HasExited && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _redis, null)?.Dispose();
        if (Interlocked.Exchange(ref _directory, null) is { } directory)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
