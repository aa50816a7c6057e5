using Brigade.Cli.Run;
using Brigade.Orleans;

namespace Brigade.Cli.Engines;

/// <summary>What <c>brigade run</c> asks of the engine it creates.</summary>
/// <param name="Jobs">The <c>--jobs</c> value, or null.</param>
/// <param name="ItemTimeout">The <c>--timeout</c> value, or null.</param>
/// <param name="Retries">The <c>--retries</c> value.</param>
/// <param name="ForCommands">Whether the items are <c>--exec</c> commands (each burns its CPU in a child process).</param>
/// <param name="Resources">Owns the engines that hold processes or connections, released when the run ends.</param>
/// <param name="Cluster">The cluster's connection and engine options, read only by the cluster engine (so their usage errors concern it alone).</param>
internal sealed record EngineRequest(
    int? Jobs,
    TimeSpan? ItemTimeout,
    int Retries,
    bool ForCommands,
    EngineResources Resources,
    Func<(ClusterConnectionOptions Connection, ClusterEngineOptions Engine)>? Cluster = null);
