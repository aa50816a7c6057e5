using System.Reflection;
using Brigade.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Brigade.Orleans;

/// <summary>Adds Brigade's worker grains to an Orleans silo.</summary>
public static class BrigadeSiloBuilderExtensions
{
    /// <summary>
    /// Lets the cluster engine run work on this silo: registers the worker grain, its placement and the work assemblies
    /// the silo accepts. Call it on every silo of the cluster.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Adds the work assemblies (see <see cref="BrigadeWorkerOptions.WorkAssemblies"/>).</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// builder.UseOrleans(silo =&gt; silo
    ///     .UseLocalhostClustering()
    ///     .AddBrigadeWorkers(o =&gt; o.WorkAssemblies.Add(typeof(CountPrimes).Assembly)));
    /// </code>
    /// </example>
    public static ISiloBuilder AddBrigadeWorkers(this ISiloBuilder builder, Action<BrigadeWorkerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<BrigadeWorkerOptions>().Configure(configure).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BrigadeWorkerOptions>, BrigadeWorkerOptionsValidator>();
        builder.Services.AddSingleton<WorkerRegistry>();
        builder.Services.AddPlacementDirector<SlotPlacement, SlotPlacementDirector>();
        return builder;
    }

    /// <summary>Lets the cluster engine run the work types of <paramref name="workAssemblies"/> on this silo.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="workAssemblies">The assemblies whose work types the silo accepts.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddBrigadeWorkers(this ISiloBuilder builder, params Assembly[] workAssemblies)
    {
        ArgumentNullException.ThrowIfNull(workAssemblies);
        return builder.AddBrigadeWorkers(o =>
        {
            foreach (var assembly in workAssemblies)
            {
                o.WorkAssemblies.Add(assembly);
            }
        });
    }
}
