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
            if (options.Membership is null
                && await ProbeWhileStartingAsync(start, new IPEndPoint(options.Address, ports[0]), tls, starting.Token).ConfigureAwait(false) is { } refusal)
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
            host.Dispose();
            var text = e is not TimeoutException ? OneLine(e)
                : options.Membership is not null
                    ? $"no silo of cluster '{options.ClusterId}' answered within {options.ConnectTimeout.TotalSeconds:0.#} s (the store answers: is '{options.ClusterId}' the silos' --cluster-id, and are they running?)"
                    : $"no gateway answered within {options.ConnectTimeout.TotalSeconds:0.#} s (are silos of cluster '{options.ClusterId}' running there? a silo of another --cluster-id does not answer)";
            throw new ClusterUnavailableException($"Could not connect to the cluster '{options.ClusterId}' {where}: {text}", e);
        }
    }

    // A client that has not connected within a second is told at once why when it and the gateway disagree on TLS
    // (GatewayTlsProbe); one that connects sooner is never probed.
    private static async Task<string?> ProbeWhileStartingAsync(
        Task start, IPEndPoint gateway, (System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Certificate2?)? tls,
        CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(start, Task.Delay(ProbeAfter, cancellationToken)).ConfigureAwait(false) == start || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = Hosting.GatewayTlsProbe.RefusalAsync(gateway, tls, probing.Token);
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

    // A TCP connection to the store's first host: null when it accepts one, else why not.
    private static async Task<string?> UnreachableAsync(ClusterMembership store, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (host, port) = store.FirstEndpoint();
        var bound = TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, timeout.TotalSeconds / 2)));
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).AsTask().WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return $"{host}:{port}: {e.Message}";
        }
        catch (TimeoutException)
        {
            return $"{host}:{port}: no answer in {bound.TotalSeconds:0} s";
        }
    }

    // Orleans' connection errors can span lines (an inner exception's text); a CLI prints one.
    private static string OneLine(Exception e)
    {
        var text = e is TimeoutException ? "no gateway answered in time" : e.Message;
        return string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
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
