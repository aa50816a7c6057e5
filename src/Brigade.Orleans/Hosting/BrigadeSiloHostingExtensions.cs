using System.Net;
using Brigade.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Brigade.Orleans;

/// <summary>Hosts a standalone Brigade silo (what <c>brigade silo</c> runs) in a .NET host.</summary>
public static class BrigadeSiloHostingExtensions
{
    /// <summary>
    /// Adds an Orleans silo on the given ports and address, in the cluster of its membership store (or localhost
    /// clustering), with TLS if asked; loads the work assemblies and accepts only their work types; prints a ready line
    /// on standard output once started.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="options">The silo's options.</param>
    /// <param name="configure">Further silo configuration (TLS, for instance), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FileNotFoundException">A work assembly path does not exist.</exception>
    /// <exception cref="BadImageFormatException">A work assembly path is not a .NET assembly.</exception>
    /// <exception cref="ArgumentException">The options contradict each other (a wildcard address without an advertised
    /// one), or a TLS certificate cannot be read.</exception>
    public static IHostApplicationBuilder UseBrigadeSilo(this IHostApplicationBuilder builder, BrigadeSiloOptions options, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var loaded = options.WorkAssemblyPaths.Select(path =>
        {
            var assembly = WorkAssemblyLoader.Load(path);
            return (Path: path, Assembly: assembly, Missing: WorkAssemblyLoader.MissingDependencies(path));
        }).ToList();
        var assemblies = options.WorkAssemblies.Concat(loaded.Select(l => l.Assembly)).Distinct().ToList();
        if (loaded.Any(l => l.Missing.Count > 0))
        {
            builder.Services.AddHostedService(sp => new WorkAssemblyCheck(loaded, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WorkAssemblyCheck>>()));
        }

        var address = options.Address;
        var advertised = options.Advertised;
        var tls = options.Tls is { } tlsOptions ? ClusterSetup.Load(tlsOptions) : default((System.Security.Cryptography.X509Certificates.X509Certificate2, System.Security.Cryptography.X509Certificates.X509Certificate2?)?);
        if (options.Membership is { Kind: ClusterMembershipKind.Postgres } postgres)
        {
            // Before UseOrleans: hosted services start in order, so the tables exist before the silo joins.
            builder.Services.AddHostedService(sp => new Membership.PostgresSchemaService(
                postgres, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Membership.PostgresSchemaService>>()));
        }

        if (options.Membership is { Kind: ClusterMembershipKind.Redis } redis)
        {
            // Before UseOrleans too: a store that refuses the password fails the start at once, in one line.
            builder.Services.AddHostedService(_ => new Membership.RedisAccessCheck(redis));
        }

        builder.UseOrleans(silo =>
        {
            if (options.Membership is { } membership)
            {
                ClusterSetup.UseMembership(silo, membership, options.ClusterId, options.ServiceId);
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, new IPEndPoint(advertised, options.PrimarySiloPort), options.ServiceId, options.ClusterId);
            }

            silo.Configure<EndpointOptions>(endpoints =>
            {
                // Bind exactly the configured address (loopback by default), and advertise the one others reach.
                endpoints.AdvertisedIPAddress = advertised;
                endpoints.SiloPort = options.SiloPort;
                endpoints.GatewayPort = options.GatewayPort;
                endpoints.SiloListeningEndpoint = new IPEndPoint(address, options.SiloPort);
                endpoints.GatewayListeningEndpoint = new IPEndPoint(address, options.GatewayPort);
            });
            if (options.Tls is { } tlsOptions && tls is { } loaded)
            {
                ClusterSetup.UseTls(silo, tlsOptions, loaded);
            }

            silo.AddBrigadeWorkers(o =>
            {
                foreach (var assembly in assemblies)
                {
                    o.WorkAssemblies.Add(assembly);
                }
            });
            configure?.Invoke(silo);
        });
        // After UseOrleans: the silo's listeners are bound when it runs; before the announcer: no ready line when it fails.
        builder.Services.AddHostedService(_ => new SharedPortCheck(options));
        builder.Services.AddHostedService(sp => new SiloAnnouncer(options, [.. assemblies.Select(a => a.GetName().Name ?? a.FullName ?? "?")], sp.GetRequiredService<IHostApplicationLifetime>()));
        return builder;
    }
}
