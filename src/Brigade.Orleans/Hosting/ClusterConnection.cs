using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Brigade.Orleans;

/// <summary>
/// A connected Orleans client for a cluster of Brigade silos, in its own small host: the convenient way to get a
/// <see cref="ClusterEngine"/> when your application does not host an Orleans client already.
/// </summary>
/// <example>
/// <code>
/// var options = new ClusterConnectionOptions();
/// options.GatewayPorts.Add(30000);
/// options.GatewayPorts.Add(30001);
/// await using var cluster = await ClusterConnection.ConnectAsync(options);
/// var engine = await cluster.CreateEngineAsync();
/// var result = await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = engine });
/// </code>
/// </example>
public sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(1);

    private readonly IHost _host;

    private ClusterConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Gets the connected client.</summary>
    public IClusterClient Client { get; }

    /// <summary>Connects to the cluster's gateways.</summary>
    /// <param name="options">Where the cluster is; <see langword="null"/> for a localhost cluster on gateway port 30000.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connection; dispose it to disconnect.</returns>
    /// <exception cref="ClusterUnavailableException">No gateway could be reached in time.</exception>
    public static async Task<ClusterConnection> ConnectAsync(ClusterConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClusterConnectionOptions();
        var ports = options.GatewayPorts.Count > 0 ? options.GatewayPorts.ToArray() : [BrigadeSiloOptions.DefaultGatewayPort];
        (System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Certificate2?)? tls;
        try
        {
            tls = options.Tls is { } tlsOptions ? Hosting.ClusterSetup.Load(tlsOptions) : null;
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}': {e.Message}", e);
        }

        var where = options.Membership is { } store ? $"through {store}" : $"at {options.Address} (gateway ports {string.Join(", ", ports)})";
        if (options.Membership is { } reached && await UnreachableAsync(reached, options.ConnectTimeout, cancellationToken).ConfigureAwait(false) is { } why)
        {
            // Said at once, and as what it is: Orleans' client would wait out ConnectTimeout, then blame the gateways.
            throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}' {where}: the membership store does not answer ({why})");
        }

        if (options.Membership is { Kind: ClusterMembershipKind.Redis } redis && await RedisRefusalAsync(redis, options.ConnectTimeout, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            // Orleans' client keeps retrying a store that refuses its password, then says no gateway answered.
            throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}' {where}: the membership store refuses this client ({refused}; the password goes in the URI: redis://:PASSWORD@HOST:PORT)");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            if (options.Membership is { } membership)
            {
                Hosting.ClusterSetup.UseMembership(client, membership, options.ClusterId, options.ServiceId);
            }
            else if (IPAddress.IsLoopback(options.Address))
            {
                client.UseLocalhostClustering(ports, options.ServiceId, options.ClusterId);
            }
            else
            {
                client.UseStaticClustering([.. ports.Select(p => new IPEndPoint(options.Address, p))]);
                client.Configure<ClusterOptions>(c =>
                {
                    c.ClusterId = options.ClusterId;
                    c.ServiceId = options.ServiceId;
                });
            }

            if (options.Tls is { } tlsOptions && tls is { } loaded)
            {
                Hosting.ClusterSetup.UseTls(client, tlsOptions, loaded);
            }

            options.ConfigureClient?.Invoke(client);
        });

        var host = builder.Build();
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = host.StartAsync(starting.Token);
        try
        {
            // With a membership store, the gateway probed is one the store lists: without it, a client refused by TLS
            // waited out ConnectTimeout and was told to check its --cluster-id (review 46).
            Func<CancellationToken, Task<IPEndPoint?>> gateway = options.Membership is null
                ? _ => Task.FromResult<IPEndPoint?>(new IPEndPoint(options.Address, ports[0]))
                : token => ListedGatewayAsync(host, token);
            if (await ProbeWhileStartingAsync(start, gateway, tls, starting.Token).ConfigureAwait(false) is { } refusal)
            {
                // Orleans' client would wait out ConnectTimeout, then say no gateway answered.
                await starting.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(start, Task.Delay(ProbeAfter, CancellationToken.None)).ConfigureAwait(false);
                throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}' {where}: {refusal}");
            }

            await start.WaitAsync(options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            return new ClusterConnection(host);
        }
        catch (ClusterUnavailableException)
        {
            host.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whether the store lists silos of this cluster id at all: a typo of the id lists none; listed silos that do
            // not answer are out of reach, or slow.
            using var listing = new CancellationTokenSource(ProbeAfter * 2);
            var listed = e is TimeoutException && options.Membership is not null ? await ListedGatewayAsync(host, listing.Token).ConfigureAwait(false) : null;
            host.Dispose();
            var text = e is not TimeoutException ? Dispatch.ErrorText.OneLine(e)
                : listed is not null
                    ? $"no silo of cluster '{options.ClusterId}' answered within {options.ConnectTimeout.TotalSeconds:0.#} s, though the store lists its silos (gateway {listed} among them): are they reachable from here (firewall, --advertise), or slow to answer (a loaded machine: a longer --cluster-timeout)?"
                : options.Membership is not null
                    ? $"no silo of cluster '{options.ClusterId}' answered within {options.ConnectTimeout.TotalSeconds:0.#} s (the store answers: is '{options.ClusterId}' the silos' --cluster-id, and are they running?)"
                    : $"no gateway answered within {options.ConnectTimeout.TotalSeconds:0.#} s (are silos of cluster '{options.ClusterId}' running there? a silo of another --cluster-id does not answer)";
            throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}' {where}: {text}", e);
        }
    }

    // A client that has not connected within a second is told at once why when it and the gateway disagree on TLS
    // (GatewayTlsProbe); one that connects sooner is never probed.
    private static async Task<string?> ProbeWhileStartingAsync(
        Task start, Func<CancellationToken, Task<IPEndPoint?>> gateway,
        (System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Certificate2?)? tls,
        CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(start, Task.Delay(ProbeAfter, cancellationToken)).ConfigureAwait(false) == start || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = ProbeAsync(gateway, tls, probing.Token);
        var first = await Task.WhenAny(start, probe).ConfigureAwait(false);
        await probing.CancelAsync().ConfigureAwait(false);
        try
        {
            return first == probe ? await probe.ConfigureAwait(false) : null;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The probe only explains a refusal; when it fails itself, the client's own outcome stands.
            return null;
        }
        finally
        {
            if (first != probe)
            {
                await ((Task)probe).ContinueWith(static p => _ = p.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string?> ProbeAsync(
        Func<CancellationToken, Task<IPEndPoint?>> gateway,
        (System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Certificate2?)? tls,
        CancellationToken cancellationToken) =>
        await gateway(cancellationToken).ConfigureAwait(false) is { } endpoint
            ? await Hosting.GatewayTlsProbe.RefusalAsync(endpoint, tls, cancellationToken).ConfigureAwait(false)
            : null;

    // The first gateway the membership store lists for the cluster (the client's own gateway list provider reads it, and
    // initializes itself when it has not yet); null when it lists none (a --cluster-id no silo has) or cannot be read.
    private static async Task<IPEndPoint?> ListedGatewayAsync(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            if (host.Services.GetService<global::Orleans.Messaging.IGatewayListProvider>() is not { } provider)
            {
                return null;
            }

            var gateways = await provider.GetGateways().WaitAsync(cancellationToken).ConfigureAwait(false);
            return gateways.Select(g => IPAddress.TryParse(g.Host, out var ip) ? new IPEndPoint(ip, g.Port) : null).FirstOrDefault(g => g is not null);
        }
        catch (Exception)
        {
            // Cancelled, or a store the provider cannot read (yet): nothing listed that this could tell.
            return null;
        }
    }

    // Why a Redis store that accepts connections refuses this client's commands (a wrong or missing password); null when
    // it answers a PING, or fails for any other reason (Orleans' client then tries, and says what it finds). Silos ask it too
    // before Orleans starts (RedisAccessCheck).
    internal static async Task<string?> RedisRefusalAsync(ClusterMembership store, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bound = TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, timeout.TotalSeconds / 2)));
        var configuration = StackExchange.Redis.ConfigurationOptions.Parse(store.ConnectionString);
        configuration.AbortOnConnectFail = true;
        configuration.ConnectRetry = 0;
        configuration.ConnectTimeout = (int)bound.TotalMilliseconds;
        try
        {
            using var writer = new StringWriter();
            var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration, writer)
                .WaitAsync(bound * 2, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await connection.GetDatabase().PingAsync().WaitAsync(bound, cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        catch (StackExchange.Redis.RedisConnectionException e) when (e.FailureType == StackExchange.Redis.ConnectionFailureType.AuthenticationFailure)
        {
            return "authentication failed: a wrong password or user";
        }
        catch (StackExchange.Redis.RedisServerException e) when (e.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || e.Message.StartsWith("WRONGPASS", StringComparison.Ordinal))
        {
            return e.Message.TrimEnd('.');
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return null;
        }
    }

    // A TCP connection to the store's first host: null when it accepts one, else why not.
    private static async Task<string?> UnreachableAsync(ClusterMembership store, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (host, port) = store.FirstEndpoint();
        var bound = TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, timeout.TotalSeconds / 2)));
        return await Hosting.TcpReach.WhyNotAsync(host, port, bound, cancellationToken).ConfigureAwait(false) switch
        {
            null => null,
            { SocketErrorCode: System.Net.Sockets.SocketError.TimedOut } => $"{host}:{port}: no answer in {bound.TotalSeconds:0} s",
            var e => $"{host}:{port}: {e.Message}",
        };
    }

    /// <summary>Creates a cluster engine on this connection and discovers the silos.</summary>
    /// <param name="options">The engine's options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the discovery.</param>
    /// <returns>The engine.</returns>
    public Task<ClusterEngine> CreateEngineAsync(ClusterEngineOptions? options = null, CancellationToken cancellationToken = default) =>
        ClusterEngine.ConnectAsync(Client, options, null, cancellationToken);

    /// <summary>Disconnects the client.</summary>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
