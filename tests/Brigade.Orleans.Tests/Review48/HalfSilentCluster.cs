using Brigade.Orleans.Protocol;
using Orleans.TestingHost;

namespace Brigade.Orleans.Tests.Review48;

/// <summary>
/// An in-process two-silo cluster whose second silo, while <see cref="Silent"/> is set, fails every Prepare call it gets
/// (the engine's probe): a silo membership holds active that does not answer, without waiting out a timeout.
/// </summary>
public sealed class HalfSilentCluster : IAsyncLifetime
{
    public const string Failure = "injected: this silo does not answer";

    // Read by the second silo's filter; the collection has one test.
    internal static volatile bool Silent;

    private static SiloAddress? _silent;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Gets the silent silo's name as status and runs write it (<c>host:port</c>).</summary>
    public string SilentSilo => _silent!.Endpoint.ToString();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .AddBrigadeWorkers(typeof(Square).Assembly)
            .AddIncomingGrainCallFilter(FailOnTheSecondSilo));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        _silent = Cluster.Silos[1].SiloAddress;
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static async Task FailOnTheSecondSilo(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (Silent && context.Result is PrepareResponse answer && answer.SiloAddress == _silent?.ToParsableString())
        {
            throw new InvalidOperationException(Failure);
        }
    }
}

[CollectionDefinition("review48-half-silent")]
public sealed class HalfSilentCollection : ICollectionFixture<HalfSilentCluster>;
