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
    /// Adds an Orleans silo with localhost clustering on the given ports and address, loading the work assemblies and
    /// accepting only their work types; prints a ready line on standard output once started.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="options">The silo's options.</param>
    /// <param name="configure">Further silo configuration (TLS, for instance), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FileNotFoundException">A work assembly path does not exist.</exception>
    /// <exception cref="BadImageFormatException">A work assembly path is not a .NET assembly.</exception>
    public static IHostApplicationBuilder UseBrigadeSilo(this IHostApplicationBuilder builder, BrigadeSiloOptions options, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var assemblies = options.WorkAssemblies.Concat(options.WorkAssemblyPaths.Select(WorkAssemblyLoader.Load)).Distinct().ToList();
        var address = options.Address;
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, new IPEndPoint(address, options.PrimarySiloPort), options.ServiceId, options.ClusterId);
            silo.Configure<EndpointOptions>(endpoints =>
            {
                // Bind exactly the configured address (loopback by default), never all interfaces.
                endpoints.AdvertisedIPAddress = address;
                endpoints.SiloListeningEndpoint = new IPEndPoint(address, options.SiloPort);
                endpoints.GatewayListeningEndpoint = new IPEndPoint(address, options.GatewayPort);
            });
            silo.AddBrigadeWorkers(o =>
            {
                foreach (var assembly in assemblies)
                {
                    o.WorkAssemblies.Add(assembly);
                }
            });
            configure?.Invoke(silo);
        });
        builder.Services.AddHostedService(sp => new SiloAnnouncer(options, [.. assemblies.Select(a => a.GetName().Name ?? a.FullName ?? "?")], sp.GetRequiredService<IHostApplicationLifetime>()));
        return builder;
    }
}
