using Brigade.Orleans.Protocol;
using Orleans.TestingHost;

namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// An in-process two-silo cluster whose second silo refuses what the test says (<see cref="Refusal"/>): another build of
/// the work's input or result type (its Prepare answer rejects the work type), or another protocol version (its answers
/// carry v2); or, while <see cref="Silent"/> is set, fails every Prepare call it gets (the engine's probe): a silo
/// membership holds active that does not answer, without waiting out a timeout (review 48). The silos themselves are
/// alike: the refusal or the failure is written into the second silo's answers by a call filter.
/// </summary>
/// <remarks>One cluster for reviews 47 and 48 (it was two, each started and kept for its collection: two in-process silos
/// fewer for the project's CPU).</remarks>
public sealed class HalfRefusingCluster : IAsyncLifetime
{
    public const string ShapeRefusal = "injected: result System.Int64 differs between the silo and the caller";

    /// <summary>What the second silo's Prepare calls fail with while <see cref="Silent"/> is set.</summary>
    public const string SilentFailure = "injected: this silo does not answer";

    public enum Refusal
    {
        Shape,
        Protocol,
    }

    // Read by the second silo's filter; the tests of the collection run one at a time.
    internal static volatile Refusal Mode;

    // Read by the second silo's filter: while set, it fails every Prepare call, whatever the mode.
    internal static volatile bool Silent;

    // Read by the second silo's filter: while set, its Prepare answers wait for this gate (a frozen silo; review 59).
    internal static volatile TaskCompletionSource? Hang;

    // Read by both silos' filter: while set, the Prepare answers of first questions (grains of generation 0) wait for this
    // gate: calls held on their way, as by a frozen silo's gateway (review 59).
    internal static volatile TaskCompletionSource? HangFirstAsks;

    private static SiloAddress? _refusing;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Gets the refusing silo's name as runs and reports write it (<c>host:port</c>).</summary>
    public string RefusingSilo => _refusing!.Endpoint.ToString();

    /// <summary>Gets the silo that fails while <see cref="Silent"/> is set (the refusing one), as status and runs write it.</summary>
    public string SilentSilo => RefusingSilo;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .AddBrigadeWorkers(typeof(Square).Assembly)
            .AddIncomingGrainCallFilter(RefuseOnTheSecondSilo));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        _refusing = Cluster.Silos[1].SiloAddress;
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private static async Task RefuseOnTheSecondSilo(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (HangFirstAsks is { } firstAsks && context.Result is PrepareResponse && context.TargetId.Key.ToString() is var key && !key[(key.LastIndexOf('/') + 1)..].Contains('.', StringComparison.Ordinal))
        {
            await firstAsks.Task;
        }

        if (Hang is { } gate && context.Result is PrepareResponse held && held.SiloAddress == _refusing?.ToParsableString())
        {
            await gate.Task;
        }

        if (Silent && context.Result is PrepareResponse silent && silent.SiloAddress == _refusing?.ToParsableString())
        {
            throw new InvalidOperationException(SilentFailure);
        }

        if (context.Result is not PrepareResponse answer || context.Request.GetArgument(0) is not PrepareRequest request ||
            answer.SiloAddress != _refusing?.ToParsableString())
        {
            return;
        }

        var shape = Mode == Refusal.Shape && request.WorkType is not null;
        context.Result = new PrepareResponse
        {
            Silo = answer.Silo,
            SiloAddress = answer.SiloAddress,
            ProcessorCount = answer.ProcessorCount,
            Rejected = shape ? ShapeRefusal : answer.Rejected,
            ActiveRuns = answer.ActiveRuns,
            ItemsRunning = answer.ItemsRunning,
            ItemsCompleted = answer.ItemsCompleted,
            ProtocolVersion = Mode == Refusal.Protocol ? 2 : answer.ProtocolVersion,
        };
    }
}

[CollectionDefinition("review47-half-refusing")]
public sealed class HalfRefusingCollection : ICollectionFixture<HalfRefusingCluster>;
