using System.Net;

namespace Brigade.Orleans;

/// <summary>Where a <see cref="ClusterConnection"/> finds the cluster: its membership store (or gateway address and
/// ports), cluster and service ids, and TLS.</summary>
/// <remarks>Values are validated when set.</remarks>
public sealed class ClusterConnectionOptions
{
    private IPAddress _address = IPAddress.Loopback;
    private string _clusterId = "brigade";
    private string _serviceId = "brigade";
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the cluster's membership store, where the client reads the live gateways.</summary>
    /// <value>Defaults to <see langword="null"/>: the gateways are <see cref="Address"/> and <see cref="GatewayPorts"/>.
    /// Set it to the store the silos use (<c>ClusterMembership.Parse("redis://HOST:6379")</c>) for a cluster across
    /// machines: the client then follows silos that join and leave, and no gateway is a single point of failure.</value>
    public ClusterMembership? Membership { get; set; }

    /// <summary>Gets or sets TLS for the client's gateway connections; required by silos that use TLS.</summary>
    /// <value>Defaults to <see langword="null"/>: no TLS.</value>
    public ClusterTlsOptions? Tls { get; set; }

    /// <summary>Gets or sets the gateways' address (without a <see cref="Membership"/> store).</summary>
    /// <value>Defaults to the loopback address: silos on this machine.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IPAddress Address
    {
        get => _address;
        set => _address = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets the silos' gateway ports (without a <see cref="Membership"/> store).</summary>
    /// <value>Empty by default, which means 30000 (<see cref="BrigadeSiloOptions.DefaultGatewayPort"/>).</value>
    public IList<int> GatewayPorts { get; } = [];

    /// <summary>Gets or sets the Orleans cluster id.</summary>
    /// <value>Defaults to <c>brigade</c>, as <c>brigade silo</c>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string ClusterId
    {
        get => _clusterId;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _clusterId = value;
        }
    }

    /// <summary>Gets or sets the Orleans service id.</summary>
    /// <value>Defaults to <c>brigade</c>, as <c>brigade silo</c>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string ServiceId
    {
        get => _serviceId;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _serviceId = value;
        }
    }

    /// <summary>Gets or sets how long to wait for the first gateway connection.</summary>
    /// <value>Defaults to 30 s.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _connectTimeout = value;
        }
    }

    /// <summary>Gets or sets further client configuration (TLS, a membership-based gateway list), or <see langword="null"/>.</summary>
    public Action<IClientBuilder>? ConfigureClient { get; set; }
}
