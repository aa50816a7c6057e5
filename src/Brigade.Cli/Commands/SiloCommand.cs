using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Brigade.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Brigade.Cli.Commands;

/// <summary><c>brigade silo</c>: an Orleans silo that runs the cluster engine's work (hosting lives in Brigade.Orleans).</summary>
internal static class SiloCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var port = new Option<int>("--port") { Description = "Silo-to-silo port.", DefaultValueFactory = _ => BrigadeSiloOptions.DefaultSiloPort, HelpName = "PORT" };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients connect to.", DefaultValueFactory = _ => BrigadeSiloOptions.DefaultGatewayPort, HelpName = "PORT" };
        var primaryPort = new Option<int>("--primary-port")
        {
            Description = "Silo port of the primary silo every silo joins through (localhost clustering); the silo with --port equal to it is the primary.",
            DefaultValueFactory = _ => BrigadeSiloOptions.DefaultSiloPort,
            HelpName = "PORT",
        };
        var address = new Option<string>("--address") { Description = "Address to bind (and advertise, without --advertise); loopback by default (see docs/cluster.md before changing it). 0.0.0.0 binds every interface and needs --advertise.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "IP" };
        var advertise = new Option<string?>("--advertise") { Description = "Address other silos and clients reach this silo at, when it differs from --address (NAT, containers, 0.0.0.0).", HelpName = "IP" };
        var membership = new Option<string?>("--membership")
        {
            Description = "The cluster's membership store, shared by every silo and client: redis://HOST:PORT or postgres://USER:PASSWORD@HOST:PORT/DATABASE (tables created when missing). No primary: any silo can start or die first. Without it: localhost clustering through --primary-port.",
            HelpName = "URI",
        };
        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = $"Use TLS, mutual: this silo's certificate (.pfx/.p12, or PEM), for both serving and connecting; its password, if any, in ${ClusterClientOptions.TlsPasswordVariable}. Clients and silos without a certificate the CA signed are refused.",
            HelpName = "PATH",
        };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of a PEM --tls-cert, when in a file of its own.", HelpName = "PATH" };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "The certificate of the authority that signed the cluster's certificates; peers must chain to it (default: the system's trusted roots).", HelpName = "PATH" };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id.", DefaultValueFactory = _ => "brigade", HelpName = "ID" };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id.", DefaultValueFactory = _ => "brigade", HelpName = "ID" };
        var assemblies = new Option<FileInfo[]>("--assembly")
        {
            Description = "A work assembly (a .dll with IWork/IAsyncWork types) to accept; repeatable. The CLI's demo work types are always accepted.",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var exitOnStdin = new Option<bool>("--exit-on-stdin-close") { Description = "Stop when standard input closes (for a parent process that starts silos)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log Orleans' information messages (to standard error)." };
        var failureDetection = new Option<string>("--failure-detection")
        {
            Description = "How soon the silos declare a silo that stopped answering dead, and its work moves on: default (Orleans' timings: " +
                "a probe times out after 5 s, three missed probes make a suspicion) or fast (2 s probes: a killed silo is declared dead in " +
                "seconds rather than tens of seconds; for a small cluster on one network, where a slow answer is rarely a live silo). " +
                "Give every silo of a cluster the same.",
            DefaultValueFactory = _ => SiloFailureDetection.Default,
            HelpName = "default|fast",
        };

        var command = new Command("silo", "Run an Orleans silo that runs the cluster engine's work: with a membership store (--membership) across machines, or localhost clustering; loopback by default.")
        {
            port, gatewayPort, primaryPort, address, advertise, membership, clusterId, serviceId, tlsCert, tlsKey, tlsCa, assemblies, exitOnStdin, verbose, failureDetection,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new BrigadeSiloOptions { ExitWhenStandardInputCloses = parse.GetValue(exitOnStdin) };
            try
            {
                options.SiloPort = Port(parse.GetValue(port), "--port");
                options.GatewayPort = Port(parse.GetValue(gatewayPort), "--gateway-port");
                options.PrimarySiloPort = Port(parse.GetValue(primaryPort), "--primary-port");
                options.ClusterId = parse.GetValue(clusterId)!;
                options.ServiceId = parse.GetValue(serviceId)!;
                options.Address = IPAddress.TryParse(parse.GetValue(address), out var ip)
                    ? ip
                    : throw new CliUsageException($"--address: '{parse.GetValue(address)}' is not an IP address");
                if (parse.GetValue(advertise) is { } advertised)
                {
                    options.AdvertisedAddress = IPAddress.TryParse(advertised, out var reached)
                        ? reached
                        : throw new CliUsageException($"--advertise: '{advertised}' is not an IP address");
                }
                else if (BrigadeSiloOptions.IsWildcardAddress(options.Address))
                {
                    throw new CliUsageException($"--address {options.Address} binds every interface: give the address others reach this silo at with --advertise IP");
                }
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message.Split(" (Parameter", 2)[0]);
            }

            if (options.SiloPort == options.GatewayPort)
            {
                throw new CliUsageException("--port and --gateway-port must differ");
            }

            if (parse.GetValue(membership) is { } uri)
            {
                if (parse.GetResult(primaryPort) is { Implicit: false })
                {
                    throw new CliUsageException("--primary-port is for localhost clustering; with --membership there is no primary silo");
                }

                options.Membership = ClusterClientOptions.ParseMembership(uri, "--membership");
            }

            options.Tls = ClusterClientOptions.Tls(parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(tlsCa), "--tls-cert");

            options.WorkAssemblies.Add(typeof(SiloCommand).Assembly);
            foreach (var file in parse.GetValue(assemblies) ?? [])
            {
                if (!file.Exists)
                {
                    throw new CliUsageException($"--assembly: '{file.FullName}' does not exist");
                }

                options.WorkAssemblyPaths.Add(file.FullName);
            }

            var fast = SiloFailureDetection.IsFast(parse.GetValue(failureDetection)!);
            return await RunAsync(options, parse.GetValue(verbose), fast, stderr, cancellationToken).ConfigureAwait(false);
        });
        _ = stdout;
        return command;
    }

    private static async Task<int> RunAsync(BrigadeSiloOptions options, bool verbose, bool fastFailureDetection, TextWriter stderr, CancellationToken cancellationToken)
    {
        // A port already taken (another silo, a second `brigade silo` with the defaults) is one line before Orleans starts,
        // not its lifecycle errors.
        foreach (var (port, option) in new[] { (options.SiloPort, "--port"), (options.GatewayPort, "--gateway-port") })
        {
            if (InUse(options.Address, port))
            {
                await stderr.WriteLineAsync(PortInUse(options.Address, port, option)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (verbose)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
        else
        {
            builder.Logging.AddConsoleFormatter<SiloLogFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }

        builder.Logging.AddConsole(o =>
        {
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            if (!verbose)
            {
                o.FormatterName = SiloLogFormatter.FormatterName;
            }
        });
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);

        // A host that fails to start says so with the exception this command reports itself, in one line.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", verbose ? LogLevel.Information : LogLevel.None);

        // Orleans' watchdog warns "Participant check thread has not completed for 03:48:04 ..." at start (a duration
        // measured from an unset timestamp) and whenever a loaded machine delays its timer: noise on a normal run.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", verbose ? LogLevel.Information : LogLevel.Error);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        // The host's default ConsoleLifetime handles SIGINT/SIGTERM itself, on every signal: brigade's TerminationSignal
        // drives the stop instead (the command's token, below), so that a second signal ends the silo at once.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        try
        {
            builder.UseBrigadeSilo(options);
        }
        catch (Exception e) when (e is FileNotFoundException or BadImageFormatException or FileLoadException)
        {
            throw new CliUsageException(e.Message.StartsWith("TLS", StringComparison.Ordinal) ? $"--tls-cert: {e.Message}" : $"--assembly: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message.StartsWith("TLS", StringComparison.Ordinal) ? $"--tls-cert: {e.Message}" : e.Message.Split(" (Parameter", 2)[0]);
        }

        if (fastFailureDetection)
        {
            builder.Services.Configure<ClusterMembershipOptions>(SiloFailureDetection.Fast);
        }

        // A silo declared dead by the others (frozen, then resumed) stops with a verdict line and exit 1, not Orleans'
        // stack trace and FailFast (review 60).
        var silo = $"{options.AdvertisedAddress ?? options.Address}:{options.SiloPort}";
        var bound = new SiloStopBound(stderr);
        var fatal = new SiloFatalError(silo, bound);
        builder.Services.Replace(ServiceDescriptor.Singleton<global::Orleans.Runtime.IFatalErrorHandler>(fatal));

        using var host = builder.Build();
        fatal.Attach((IHostApplicationLifetime)host.Services.GetService(typeof(IHostApplicationLifetime))!, () => MuteLog(host));

        // Localhost clustering: a silo that is not the primary joins through it. Review 57: `brigade silo --port 21111`
        // (its --primary-port left at 11111, where nothing listened) logged Orleans' connection warnings and never said
        // ready, nor why; after PrimaryNoticeAfter it now says where it looks for the primary and what to do.
        using var joining = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var notice = options.Membership is null && options.SiloPort != options.PrimarySiloPort
            ? NoticeUnansweredPrimaryAsync(new IPEndPoint(options.AdvertisedAddress ?? options.Address, options.PrimarySiloPort), stderr, joining.Token)
            : Task.CompletedTask;
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            // A signal during the start: Orleans ends its lifecycle with an exception of its own ("Lifecycle start
            // canceled by request"), not an OperationCanceledException. The user stopped the silo; it did not fail.
            throw new OperationCanceledException("the silo's start was interrupted", e, cancellationToken);
        }
        catch (Exception e)
        {
            var where = options.Membership is { } store ? $", membership {store}" : "";
            var cause = e.GetBaseException();
            if (cause is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                // Taken between the check above and Orleans' bind: another silo started at the same moment. Orleans binds the
                // silo port first, so while this process still listens there the gateway port is the one taken. Review 59:
                // the port was told by binding it again after the host was gone, which named --port when the gateway port
                // had been taken (this silo's own silo port was not yet free).
                var ownSiloPort = Brigade.Orleans.Hosting.SharedPortCheck.OwnListener(options.Address, options.SiloPort);
                host.Dispose();
                await stderr.WriteLineAsync(PortTaken(options, ownSiloPort)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (cause is Brigade.Orleans.Hosting.SharedPortException shared)
            {
                // Two silos started at once with one port both passed the check above (review 58). The stop that follows
                // is this command's, not a failure to report: Orleans' four warnings of a non-graceful shutdown are not shown.
                MuteLog(host);
                host.Dispose();
                await stderr.WriteLineAsync(
                    $"brigade: port {shared.Port} ({(shared.Gateway ? "--gateway-port" : "--port")}) on {options.Address} is also bound by another process started at the same time " +
                    $"(another silo?), which would take some of this silo's connections: stop it, or give each silo its own {(shared.Gateway ? "--gateway-port" : "--port")}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            // The console logger writes Orleans' log lines from a queue of its own, flushed when the host is disposed:
            // dispose it first, so that this verdict comes after them, as the last line.
            host.Dispose();
            await stderr.WriteLineAsync(
                $"brigade: the silo could not start on {options.Address}:{options.SiloPort} (gateway {options.GatewayPort}{where}): {cause.GetType().Name}: {SiloLogFormatter.Gist(cause.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            await joining.CancelAsync().ConfigureAwait(false);
            await notice.ConfigureAwait(false);
        }

        // Ctrl+C (the command's token) and a closed standard input (--exit-on-stdin-close) both end the silo gracefully.
        // Said when it happens: a run that loses this silo says "the silo's log says why it left", and a silo stopped by a
        // signal wrote nothing at all (review 58: SIGTERM mid-run).
        // Every stop is bounded (SiloStopBound), whoever asked for it: a signal, a fatal error (SiloFatalError starts the
        // bound itself, with its verdict) or standard input closing (review 61: that stop was not bounded, and a silo whose
        // membership store had gone took 120 s to end). The first to start the bound gives the line and the exit code.
        var lifetime = (IHostApplicationLifetime)host.Services.GetService(typeof(IHostApplicationLifetime))!;
        var unleft = $"brigade silo {silo}: stopped without leaving the cluster (its membership store does not answer?): the other silos declare it dead once their probes go unanswered";
        using (cancellationToken.Register(() =>
        {
            stderr.WriteLine($"brigade silo {options.Address}:{options.SiloPort} stopping ({TerminationSignal.Name ?? "cancelled"}): leaving the cluster; runs using it finish on the other silos");
            _ = bound.Start(unleft, TerminationSignal.InterruptedExitCode);
            lifetime.StopApplication();
        }))
        using (lifetime.ApplicationStopping.Register(() =>
        {
            if (!cancellationToken.IsCancellationRequested && fatal.Verdict is null && options.ExitWhenStandardInputCloses)
            {
                stderr.WriteLine($"brigade silo {options.Address}:{options.SiloPort} stopping (standard input closed): leaving the cluster; runs using it finish on the other silos");
            }

            _ = bound.Start(unleft, fatal.Verdict is null ? ExitCodes.Success : ExitCodes.Failure);
        }))
        {
            await host.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        }

        bound.Stopped();
        if (fatal.Verdict is { } verdict)
        {
            // After the console logger's queue is flushed (disposing the host), so that the verdict is the last line.
            host.Dispose();
            await stderr.WriteLineAsync(verdict).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        return cancellationToken.IsCancellationRequested ? TerminationSignal.InterruptedExitCode : ExitCodes.Success;
    }

    // The silo's log writes nothing more: a verdict of this command's follows, and Orleans' warnings of a non-graceful
    // shutdown would only come before it.
    private static void MuteLog(IHost host)
    {
        foreach (var formatter in host.Services.GetServices<Microsoft.Extensions.Logging.Console.ConsoleFormatter>().OfType<SiloLogFormatter>())
        {
            formatter.Mute();
        }
    }

    /// <summary>How long a silo joining through the primary may take before it says where it looks for it.</summary>
    internal static readonly TimeSpan PrimaryNoticeAfter = TimeSpan.FromSeconds(10);

    private static async Task NoticeUnansweredPrimaryAsync(IPEndPoint primary, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(PrimaryNoticeAfter, cancellationToken).ConfigureAwait(false);
            if (await UnansweredPrimaryAsync(primary, cancellationToken).ConfigureAwait(false) is { } line)
            {
                await stderr.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo started (or stopped) first: nothing to say.
        }
    }

    /// <summary>One line saying that the primary silo this silo joins through does not answer, or null when something
    /// accepts a connection at its port (a slow join is Orleans' to report).</summary>
    /// <param name="primary">The primary silo's endpoint (the advertised address, <c>--primary-port</c>).</param>
    /// <param name="cancellationToken">Ends the check.</param>
    /// <returns>The line, or null.</returns>
    internal static async Task<string?> UnansweredPrimaryAsync(IPEndPoint primary, CancellationToken cancellationToken)
    {
        var why = await Brigade.Orleans.Hosting.TcpReach.WhyNotAsync(primary.Address.ToString(), primary.Port, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) switch
        {
            null => null,
            { SocketErrorCode: SocketError.ConnectionRefused } => "where nothing listens",
            { SocketErrorCode: SocketError.TimedOut } => "which does not answer",
            var e => $"which cannot be reached ({e.SocketErrorCode})",
        };

        return why is null ? null :
            $"brigade silo: not ready after {PrimaryNoticeAfter.TotalSeconds:0} s: it joins the cluster through the primary silo at {primary} (--primary-port {primary.Port}), {why}: " +
            $"start the primary first (the silo whose --port is {primary.Port}), or give this silo the primary's port with --primary-port";
    }

    /// <summary>The line for a port taken between the in-use check and Orleans' bind: the gateway port when this process
    /// already listens on its silo port (<paramref name="ownSiloPort"/>), the silo port when it does not, both when that
    /// cannot be told.</summary>
    /// <param name="options">The silo's options.</param>
    /// <param name="ownSiloPort">Whether this process listened on its silo port when the bind failed; null when unknown.</param>
    /// <returns>The line.</returns>
    internal static string PortTaken(BrigadeSiloOptions options, bool? ownSiloPort)
    {
        var (which, option) = ownSiloPort switch
        {
            true => ($"port {options.GatewayPort}", "--gateway-port"),
            false => ($"port {options.SiloPort}", "--port"),
            null => ($"port {options.SiloPort} (--port) or {options.GatewayPort}", "--gateway-port"),
        };
        var own = ownSiloPort is null ? "its own --port and --gateway-port" : $"its own {option}";
        return $"brigade: {which} ({option}) on {options.Address} was taken by another process while this silo started (another silo started at the same moment?): " +
            $"this silo stopped; start it again once the other has started, or give each silo {own}";
    }

    private static string PortInUse(IPAddress address, int port, string option) =>
        $"brigade: port {port} ({option}) is in use on {address}: another silo or program listens there; stop it, or give this silo another {option}";

    // Whether something listens on the port (a bind fails with EADDRINUSE); other bind errors are Orleans' to report.
    private static bool InUse(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse;
        }
    }

    private static int Port(int value, string option) =>
        value is >= 1 and <= 65535 ? value : throw new CliUsageException($"{option}: {value} is not a port (1-65535)");
}
