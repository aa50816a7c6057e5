using Brigade.Cli.Run;

namespace Brigade.Cli.Engines;

/// <summary>What <c>brigade run</c> asks of the engine it creates.</summary>
/// <param name="Jobs">The <c>--jobs</c> value, or null.</param>
/// <param name="ItemTimeout">The <c>--timeout</c> value, or null.</param>
/// <param name="Retries">The <c>--retries</c> value.</param>
/// <param name="ForCommands">Whether the items are <c>--exec</c> commands (each burns its CPU in a child process).</param>
/// <param name="Resources">Owns the engines that hold processes or connections, released when the run ends.</param>
/// <param name="Cluster">Connects to the cluster and creates its engine, called only by the cluster engine (so the cluster
/// options' usage errors concern it alone, and a run on another engine never loads Orleans: no Orleans type appears here).</param>
internal sealed record EngineRequest(
    int? Jobs,
    TimeSpan? ItemTimeout,
    int Retries,
    bool ForCommands,
    EngineResources Resources,
    Func<CancellationToken, Task<Engine>>? Cluster = null);
