using System.Globalization;
using System.Net;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// One <c>brigade silo</c> with mutual TLS for the "clients" collection's TLS tests (<see cref="TlsTests"/>,
/// <see cref="Review46.MembershipTlsTests"/>): its certificate signed by a private CA, its gateway port given, and Redis
/// membership, so clients reach it either way (<c>--gateway</c>, <c>--membership</c>). Started on first use, not with the
/// collection (a filtered run of the collection's other tests starts no silo for it); stopped with the collection.
/// </summary>
/// <remarks>Each of the two tests started a TLS silo of its own (a silo start is ~1.5-2 s of CPU, ~5-10 s at load); the
/// clients they run only connect and read the cluster's status, so one silo serves both.</remarks>
public sealed class TlsSilo : IAsyncLifetime, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Started? _started;
    private RedisServer? _redis;
    private SiloSet? _silos;
    private TestCertificates? _cluster;
    private TestCertificates? _stranger;
    private string? _directory;

    /// <summary>Starts the silo (and its Redis) once; later calls return the same.</summary>
    internal async Task<Started> StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_started is not null)
            {
                return _started;
            }

            _directory = Directory.CreateTempSubdirectory("brigade-tls-").FullName;
            _cluster = new TestCertificates(_directory, "cluster");
            _stranger = new TestCertificates(_directory, "stranger");
            var siloCertificate = _cluster.Issue("silo");
            _redis = new RedisServer();
            await _redis.InitializeAsync();
            var ports = FreePorts.On([IPAddress.Loopback], 2).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
            _silos = new SiloSet();
            var silo = await _silos.StartAsync(
                "--port", ports[0], "--gateway-port", ports[1], "--membership", _redis.Uri, "--tls-cert", siloCertificate, "--tls-ca", _cluster.AuthorityPath);
            _started = new Started(silo, ports[1], _redis.Uri, _cluster, _stranger);
            return _started;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose() => DisposeAsync().GetAwaiter().GetResult();

    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _silos, null) is { } silos)
        {
            await silos.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _redis, null) is { } redis)
        {
            await redis.DisposeAsync();
        }

        Interlocked.Exchange(ref _cluster, null)?.Dispose();
        Interlocked.Exchange(ref _stranger, null)?.Dispose();
        if (Interlocked.Exchange(ref _directory, null) is { } directory)
        {
            Directory.Delete(directory, recursive: true);
        }

        _gate.Dispose();
    }

    /// <summary>The running silo, where it answers, and the certificates: the cluster's CA (which signed the silo's) and a stranger CA.</summary>
    internal sealed record Started(LocalSiloProcess Silo, string GatewayPort, string Membership, TestCertificates Cluster, TestCertificates Stranger);
}
