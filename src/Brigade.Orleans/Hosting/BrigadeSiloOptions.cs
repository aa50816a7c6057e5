using System.Net;
using System.Reflection;

namespace Brigade.Orleans;

/// <summary>
/// A standalone Brigade silo (what <c>brigade silo</c> starts): how it finds the cluster (a membership store, or Orleans'
/// localhost clustering), its ports, the address it binds to and the one it is reached at, TLS, and the work assemblies
/// it accepts.
/// </summary>
/// <remarks>
/// Values are validated when set, and together when the silo is configured. With a <see cref="Membership"/> store
/// (Redis, PostgreSQL) silos on any number of machines form one cluster with no primary: any silo can start or die
/// first. Without one, Orleans' localhost ("development") clustering: every silo joins through a primary silo
/// (<see cref="PrimarySiloPort"/>) on the same address, which must start first and whose death ends the cluster. See
/// docs/cluster.md.
/// </remarks>
public sealed class BrigadeSiloOptions
{
    private IPAddress _address = IPAddress.Loopback;
    private IPAddress? _advertisedAddress;
    private int _siloPort = DefaultSiloPort;
    private int _gatewayPort = DefaultGatewayPort;
    private int _primarySiloPort = DefaultSiloPort;
    private string _clusterId = "brigade";
    private string _serviceId = "brigade";

    /// <summary>The silo-to-silo port of the first silo: 11111, as in Orleans' own localhost clustering.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The client gateway port of the first silo: 30000, as in Orleans' own localhost clustering.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Gets or sets the address the silo binds to (and advertises, unless <see cref="AdvertisedAddress"/> is set).</summary>
    /// <value>Defaults to the loopback address (127.0.0.1): nothing outside this machine can reach the silo. Bind
    /// another address only on a trusted network or with TLS (docs/cluster.md). A wildcard (0.0.0.0, ::) binds every
    /// interface and needs <see cref="AdvertisedAddress"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IPAddress Address
    {
        get => _address;
        set => _address = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the address other silos and clients reach this silo at, when it differs from the one it binds
    /// (behind NAT, in a container, or binding a wildcard).</summary>
    /// <value>Defaults to <see langword="null"/>: <see cref="Address"/>.</value>
    /// <exception cref="ArgumentException">The value is a wildcard address, which cannot be reached.</exception>
    public IPAddress? AdvertisedAddress
    {
        get => _advertisedAddress;
        set
        {
            if (value is not null && IsWildcard(value))
            {
                throw new ArgumentException("The advertised address is where others reach the silo: give a concrete address, not a wildcard.", nameof(value));
            }

            _advertisedAddress = value;
        }
    }

    /// <summary>Gets or sets the cluster's membership store, shared by every silo and client of the cluster.</summary>
    /// <value>Defaults to <see langword="null"/>: localhost clustering through a primary silo (one machine). Set it for a
    /// cluster across machines: <c>ClusterMembership.Parse("redis://HOST:6379")</c> or a PostgreSQL URI, whose tables
    /// the silo creates when they are missing.</value>
    public ClusterMembership? Membership { get; set; }

    /// <summary>Gets or sets TLS for the silo's connections (to other silos and from clients), mutual by default.</summary>
    /// <value>Defaults to <see langword="null"/>: no TLS.</value>
    public ClusterTlsOptions? Tls { get; set; }

    /// <summary>Gets or sets the port silos use to talk to this silo.</summary>
    /// <value>Defaults to 11111; give each silo on one machine its own.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and 65535.</exception>
    public int SiloPort
    {
        get => _siloPort;
        set => _siloPort = CheckPort(value);
    }

    /// <summary>Gets or sets the port clients (the cluster engine) connect to.</summary>
    /// <value>Defaults to 30000; give each silo on one machine its own.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and 65535.</exception>
    public int GatewayPort
    {
        get => _gatewayPort;
        set => _gatewayPort = CheckPort(value);
    }

    /// <summary>Gets or sets the silo port of the primary silo, which every silo of a localhost cluster joins through
    /// (ignored with a <see cref="Membership"/> store).</summary>
    /// <value>Defaults to 11111. The silo whose <see cref="SiloPort"/> equals it is the primary; start it first.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and 65535.</exception>
    public int PrimarySiloPort
    {
        get => _primarySiloPort;
        set => _primarySiloPort = CheckPort(value);
    }

    /// <summary>Gets or sets the Orleans cluster id; silos and clients of one cluster share it.</summary>
    /// <value>Defaults to <c>brigade</c>.</value>
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

    /// <summary>Gets or sets the Orleans service id; silos and clients of one cluster share it.</summary>
    /// <value>Defaults to <c>brigade</c>.</value>
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

    /// <summary>Gets the paths of assembly files to load as work assemblies (their dependencies are resolved from
    /// their <c>.deps.json</c> and folder).</summary>
    /// <value>Empty by default.</value>
    public IList<string> WorkAssemblyPaths { get; } = [];

    /// <summary>Gets assemblies already loaded to accept as work assemblies.</summary>
    /// <value>Empty by default.</value>
    public IList<Assembly> WorkAssemblies { get; } = [];

    /// <summary>Gets or sets whether the silo stops when its standard input closes.</summary>
    /// <value>Defaults to <see langword="false"/>. A parent that starts silos as child processes (the demo, the
    /// benchmarks; see <see cref="LocalSiloProcess"/>) sets it and keeps the pipe open: when the parent exits, even by
    /// SIGKILL, the pipe closes and the silo shuts down, so no silo outlives it.</value>
    public bool ExitWhenStandardInputCloses { get; set; }

    internal IPAddress Advertised => AdvertisedAddress ?? (IsWildcard(Address)
        ? throw new ArgumentException($"The silo binds every interface ({Address}): give the address it is reached at (AdvertisedAddress, --advertise).")
        : Address);

    /// <summary>Says whether an address binds every interface (0.0.0.0 or ::): such a silo needs an <see cref="AdvertisedAddress"/>.</summary>
    /// <param name="address">The address.</param>
    /// <returns><see langword="true"/> for a wildcard.</returns>
    public static bool IsWildcardAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
    }

    private static bool IsWildcard(IPAddress address) => IsWildcardAddress(address);

    private static int CheckPort(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65535);
        return value;
    }
}
