using Brigade.Orleans.Protocol;
using Orleans.TestingHost;

namespace Brigade.Orleans.Tests;

/// <summary>One in-process two-silo Orleans cluster shared by the tests of the "cluster" collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public ClusterEngine Engine { get; private set; } = null!;

    public static InProcessTestCluster Build(short silos = 2)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .AddBrigadeWorkers(typeof(Square).Assembly, typeof(Brigade.Testing.Conformance.EngineConformance).Assembly)
            .AddIncomingGrainCallFilter(FailCallsCarryingThePoisonItem));
        return builder.Build();
    }

    // A failure of the call itself, not of the work: every batch of Poisoned that carries its poison item fails on
    // every silo, as a batch whose response cannot be delivered would.
    private static Task FailCallsCarryingThePoisonItem(IIncomingGrainCallContext context)
    {
        if (context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is BatchRequest request &&
            request.WorkType == typeof(Poisoned).FullName &&
            request.StartIndex <= Poisoned.Poison && Poisoned.Poison < request.StartIndex + request.Count)
        {
            throw new InvalidOperationException("injected: this call cannot complete");
        }

        return context.Invoke();
    }

    public async Task InitializeAsync()
    {
        Cluster = Build();
        await Cluster.DeployAsync();
        Engine = await ClusterEngine.ConnectAsync(Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;
