using System.Net;
using System.Reflection;

namespace Brigade.Orleans;

/// <summary>
/// A standalone Brigade silo (what <c>brigade silo</c> starts): Orleans localhost ("development") clustering, its
/// ports, the address it binds to, and the work assemblies it accepts.
/// </summary>
/// <remarks>
/// Values are validated when set. Localhost clustering has no membership store: every silo points at a primary silo
/// (<see cref="PrimarySiloPort"/>) on the same address. It is meant for development and for several silos on one
/// machine; for production, host the silo in your own application with an Orleans membership provider and call
/// <see cref="BrigadeSiloBuilderExtensions.AddBrigadeWorkers(ISiloBuilder, Action{BrigadeWorkerOptions})"/> (see docs/cluster.md).
/// </remarks>
public sealed class BrigadeSiloOptions
{
    private IPAddress _address = IPAddress.Loopback;
    private int _siloPort = DefaultSiloPort;
    private int _gatewayPort = DefaultGatewayPort;
    private int _primarySiloPort = DefaultSiloPort;
    private string _clusterId = "brigade";
    private string _serviceId = "brigade";

    /// <summary>The silo-to-silo port of the first silo: 11111, as in Orleans' own localhost clustering.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The client gateway port of the first silo: 30000, as in Orleans' own localhost clustering.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Gets or sets the address the silo binds to and advertises.</summary>
    /// <value>Defaults to the loopback address (127.0.0.1): nothing outside this machine can reach the silo. Bind
    /// another address only on a trusted network or with TLS (docs/cluster.md).</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is a wildcard address (0.0.0.0 or ::), which cannot be advertised.</exception>
    public IPAddress Address
    {
        get => _address;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Equals(IPAddress.Any) || value.Equals(IPAddress.IPv6Any))
            {
                throw new ArgumentException("The silo advertises its address to the others: give a concrete address, not a wildcard.", nameof(value));
            }

            _address = value;
        }
    }

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

    /// <summary>Gets or sets the silo port of the primary silo, which every silo of a localhost cluster joins through.</summary>
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

    private static int CheckPort(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65535);
        return value;
    }
}
