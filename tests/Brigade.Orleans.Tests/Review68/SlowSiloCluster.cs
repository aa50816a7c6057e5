using Brigade.Orleans.Protocol;
using Orleans.TestingHost;

namespace Brigade.Orleans.Tests.Review68;

/// <summary>
/// An in-process two-silo cluster whose second silo answers the engine's questions (its Prepare calls) as the test says:
/// held until <see cref="Hold"/>'s task ends (slow: a delay; frozen: a gate never opened), or failed while <see cref="Fail"/>
/// is set (a missed question, at once). Everything else, batches included, goes through unchanged.
/// </summary>
public sealed class SlowSiloCluster : IAsyncLifetime
{
    public const string Failure = "injected: this silo missed the question";

    // Read by the second silo's filter: while set, each Prepare answer waits for the task it returns (called per answer).
    internal static volatile Func<Task>? Hold;

    // Read by the second silo's filter: while set, it fails every Prepare call.
    internal static volatile bool Fail;

    private static SiloAddress? _slow;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Gets the second silo's name as runs and reports write it (<c>host:port</c>).</summary>
    public string SlowSilo => _slow!.Endpoint.ToString();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .AddBrigadeWorkers(typeof(Square).Assembly)
            .AddIncomingGrainCallFilter(HoldOnTheSecondSilo));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        _slow = Cluster.Silos[1].SiloAddress;
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static async Task HoldOnTheSecondSilo(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.Result is not PrepareResponse answer || answer.SiloAddress != _slow?.ToParsableString())
        {
            return;
        }

        if (Hold is { } hold)
        {
            await hold();
        }

        if (Fail)
        {
            throw new InvalidOperationException(Failure);
        }
    }
}

[CollectionDefinition("review68-slow-silo")]
public sealed class SlowSiloCollection : ICollectionFixture<SlowSiloCluster>;
