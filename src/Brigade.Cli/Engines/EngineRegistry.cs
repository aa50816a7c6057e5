using Brigade.Auto;
using Brigade.Cli.Run;

namespace Brigade.Cli.Engines;

/// <summary>
/// The engines <c>brigade run</c> knows, by name: the one place that maps <c>--engine</c> to an engine, builds its help
/// and its "choose ..." error. Adding an engine is one entry here.
/// </summary>
internal sealed class EngineRegistry
{
    /// <summary>Initializes a registry of <paramref name="entries"/> (the shipped ones are <see cref="Default"/>).</summary>
    /// <param name="entries">The engines, in the order help lists them; names are unique in any case.</param>
    public EngineRegistry(IEnumerable<EngineEntry> entries) => Entries = [.. entries];

    /// <summary>Gets the registry of every engine Brigade ships.</summary>
    public static EngineRegistry Default { get; } = new(
    [
        new("auto", "measure and choose", Engine.Auto.Capabilities, static (request, _) =>
            ValueTask.FromResult(request.ForCommands
                // Commands burn their CPU in child processes: auto mode reads their clocks while they run and learns the exact
                // figure from ExternalCpuTime as each finishes.
                // Waiting commands widen it, up to what this machine can run at once (not auto mode's 1,024 in flight), or up
                // to --jobs when that is more: a ceiling the user gave (300 sleeping commands: -j 300) is one auto mode may
                // reach, where it stopped at 64 on 2 cores (review 41). RunCommand has already lowered --jobs to what the
                // open-file and process limits leave room for.
                ? Engine.CreateAuto(new AutoEngineOptions { ReportsExternalCpu = true, MaxConcurrency = AutoCommandCeiling(request.Jobs) })
                : Engine.Auto)),
        BuiltIn(Engine.Sequential),
        BuiltIn(Engine.ThreadPool),
        BuiltIn(Engine.Threads),
        BuiltIn(Engine.Async),
        new("processes", null, EngineCapabilities.HardItemTimeout | EngineCapabilities.CrashContainment | EngineCapabilities.ItemTimeoutAndRetry, static (request, _) =>
            ValueTask.FromResult<Engine>(request.Resources.Processes(request.Jobs, request.ItemTimeout))),
        new("cluster", null, EngineCapabilities.CrashContainment | EngineCapabilities.ItemTimeoutAndRetry, static async (request, cancellationToken) =>
        {
            var create = request.Cluster ?? throw new InvalidOperationException("The cluster engine needs the cluster's options.");
            return await create(cancellationToken).ConfigureAwait(false);
        }),
    ]);

    /// <summary>Gets the engines, in the order help lists them.</summary>
    public IReadOnlyList<EngineEntry> Entries { get; }

    /// <summary>Gets <c>--engine</c>'s help: every name, with its note.</summary>
    public string Help => Join(Entries.Select(e => (e.Note, e.NeedsWorkType) switch
    {
        (null, false) => e.Name,
        (null, true) => $"{e.Name} (--work only)",
        _ => $"{e.Name} ({e.Note})",
    })) + ".";

    /// <summary>Finds the engine named <paramref name="name"/> (any case).</summary>
    /// <param name="name">The <c>--engine</c> value.</param>
    /// <returns>Its entry.</returns>
    /// <exception cref="CliUsageException">No engine has that name; the message lists them all.</exception>
    public EngineEntry Resolve(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliUsageException($"--engine: unknown engine '{name}'; choose {Join(Entries.Select(e => e.Name))}");

    /// <summary>
    /// Gets how many commands auto mode may run at once: <see cref="EngineResources.CommandLimit"/> (32 per core, within
    /// the system's limits), or <paramref name="jobs"/> when given and higher (<c>--jobs</c> is then auto mode's ceiling,
    /// and auto mode's Little's law decides below it).
    /// </summary>
    /// <param name="jobs">The <c>--jobs</c> value (already within the system's limits), or null.</param>
    internal static int AutoCommandCeiling(int? jobs) =>
        Math.Clamp(Math.Max(EngineResources.CommandLimit(), jobs ?? 0), 1, MaxAutoConcurrency);

    // AutoEngineOptions.MaxConcurrency's own bound.
    private const int MaxAutoConcurrency = 65_536;

    private static EngineEntry BuiltIn(Engine engine) =>
        new(engine.Name, null, engine.Capabilities, (_, _) => ValueTask.FromResult(engine));

    private static string Join(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 1 ? list[0] : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }
}
