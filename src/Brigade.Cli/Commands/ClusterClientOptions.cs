using System.CommandLine;
#if !BRIGADE_NATIVE_FRONT
using System.Globalization;
using Brigade.Orleans;
#endif

namespace Brigade.Cli.Commands;

/// <summary>
/// How a client command finds a cluster: <c>--membership</c> (or <c>--gateway</c> ports of local silos), <c>--cluster-id</c>,
/// TLS, and how long a run waits for a cluster that makes no progress. Shared by <c>brigade run --engine cluster</c> and
/// <c>brigade cluster status</c>; maps onto <see cref="ClusterConnectionOptions"/> and <see cref="ClusterEngineOptions"/>.
/// </summary>
internal sealed class ClusterClientOptions
{
    /// <summary>The environment variable that holds the password of a TLS certificate or key (never given on the command line).</summary>
    public const string TlsPasswordVariable = "BRIGADE_TLS_PASSWORD";

    private readonly Option<string?> _membership = new("--membership")
    {
        Description = "The cluster's membership store, as the silos were started with: redis://HOST:PORT or postgres://USER:PASSWORD@HOST:PORT/DATABASE. Without it: local silos through --gateway.",
        HelpName = "URI",
    };

    private readonly Option<int[]> _gateway = new("--gateway")
    {
        Description = "Without --membership: the gateway port(s) of silos on this machine (default 30000).",
        HelpName = "PORT",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string> _clusterId = new("--cluster-id") { Description = "The Orleans cluster id the silos were started with.", DefaultValueFactory = _ => "brigade", HelpName = "ID" };

    private readonly Option<string?> _tlsCert = new("--tls-cert")
    {
        Description = $"This client's TLS certificate (.pfx/.p12, or PEM) for silos that require TLS; its password, if any, in ${TlsPasswordVariable}.",
        HelpName = "PATH",
    };

    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "The PEM private key of a PEM --tls-cert, when in a file of its own.", HelpName = "PATH" };

    private readonly Option<string?> _tlsCa = new("--tls-ca") { Description = "The certificate of the authority that signed the silos' certificates (default: the system's trusted roots).", HelpName = "PATH" };

    private readonly Option<string?> _stallTimeout = new("--cluster-timeout")
    {
        Description = "Fail when the cluster makes no progress for this long (no gateway reachable, a dead primary): default 30s for a run, 10s for cluster status.",
        HelpName = "DURATION",
    };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_membership);
        command.Options.Add(_gateway);
        command.Options.Add(_clusterId);
        command.Options.Add(_tlsCert);
        command.Options.Add(_tlsKey);
        command.Options.Add(_tlsCa);
        command.Options.Add(_stallTimeout);
    }

    /// <summary>The first of these options the command line gives (for an engine that is not the cluster, a usage error), or null.</summary>
    public string? FirstGiven(ParseResult parse)
    {
        foreach (var option in new Option[] { _membership, _gateway, _clusterId, _tlsCert, _tlsKey, _tlsCa, _stallTimeout })
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                return option.Name;
            }
        }

        return null;
    }

#if !BRIGADE_NATIVE_FRONT
    // The native front declares the options (run's help and its usage errors are the tool's) and connects nowhere.

    /// <summary>Whether the command line names a cluster (<c>--membership</c> or <c>--gateway</c>).</summary>
    public bool Given(ParseResult parse) => parse.GetValue(_membership) is not null || (parse.GetValue(_gateway) ?? []).Length > 0;

    /// <summary>Where the cluster is; bad values are usage errors naming their option.</summary>
    public ClusterConnectionOptions Connection(ParseResult parse)
    {
        var options = new ClusterConnectionOptions();
        try
        {
            options.ClusterId = parse.GetValue(_clusterId)!;
        }
        catch (ArgumentException)
        {
            throw new CliUsageException("--cluster-id: give a non-empty id");
        }

        var gateways = parse.GetValue(_gateway) ?? [];
        if (parse.GetValue(_membership) is { } uri)
        {
            if (gateways.Length > 0)
            {
                throw new CliUsageException("--gateway and --membership: give one; with a membership store the client finds the gateways there");
            }

            options.Membership = ParseMembership(uri, "--membership");
        }

        foreach (var port in gateways)
        {
            options.GatewayPorts.Add(port is >= 1 and <= 65535 ? port : throw new CliUsageException($"--gateway: {port} is not a port (1-65535)"));
        }

        options.Tls = Tls(parse.GetValue(_tlsCert), parse.GetValue(_tlsKey), parse.GetValue(_tlsCa), "--tls-cert");

        // The wait for a first gateway is the cluster making no progress too: `run --cluster-timeout 5s` with no silo
        // waited out the connection's own 30 s before failing (review 58).
        if (parse.GetValue(_stallTimeout) is { } timeout)
        {
            options.ConnectTimeout = Duration(timeout, "--cluster-timeout");
        }

        return options;
    }

    /// <summary>The engine's options: the stall bound.</summary>
    public ClusterEngineOptions Engine(ParseResult parse)
    {
        var options = new ClusterEngineOptions();
        if (parse.GetValue(_stallTimeout) is { } text)
        {
            options.StallTimeout = Duration(text, "--cluster-timeout");
            if (options.StallTimeout < options.UnresponsiveSiloTimeout)
            {
                options.UnresponsiveSiloTimeout = options.StallTimeout / 2;
            }
        }

        return options;
    }

    /// <summary>The <c>--cluster-timeout</c> given, or <paramref name="fallback"/>; a bad value is a usage error.</summary>
    public TimeSpan StallTimeout(ParseResult parse, TimeSpan fallback) =>
        parse.GetValue(_stallTimeout) is { } text ? Duration(text, "--cluster-timeout") : fallback;

    /// <summary>Describes where the client looks, for error messages.</summary>
    public static string Describe(ClusterConnectionOptions options) =>
        options.Membership is { } membership
            ? $"membership {membership}"
            : $"gateway port{(options.GatewayPorts.Count == 1 ? "" : "s")} {(options.GatewayPorts.Count == 0 ? "30000" : string.Join(", ", options.GatewayPorts))}";

    public static ClusterMembership ParseMembership(string uri, string option)
    {
        try
        {
            return ClusterMembership.Parse(uri);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>TLS options from the command line; null when no certificate is given. Files are checked here.</summary>
    public static ClusterTlsOptions? Tls(string? certificate, string? key, string? authority, string option)
    {
        if (certificate is null)
        {
            return key is not null || authority is not null
                ? throw new CliUsageException($"--tls-key and --tls-ca go with {option} (this party's own certificate)")
                : null;
        }

        foreach (var (path, name) in new[] { (certificate, option), (key, "--tls-key"), (authority, "--tls-ca") })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new CliUsageException($"{name}: '{Path.GetFullPath(path)}' does not exist");
            }
        }

        return new ClusterTlsOptions
        {
            CertificatePath = certificate,
            PrivateKeyPath = key,
            CertificateAuthorityPath = authority,
            Password = Environment.GetEnvironmentVariable(TlsPasswordVariable),
        };
    }

    private static TimeSpan Duration(string text, string option)
    {
        var t = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
            {
                return TimeSpan.FromSeconds(v * scale);
            }
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliUsageException($"{option}: '{text}' is not a duration (try 30s, 500ms or 2m)");
    }
#endif
}
