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
        builder.ConfigureSilo((_, silo) => silo.AddBrigadeWorkers(typeof(Square).Assembly));
        return builder.Build();
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
