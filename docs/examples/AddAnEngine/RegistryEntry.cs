// The one line the CLI needs for the engine of BackgroundThreadsEngine.cs: an entry of EngineRegistry.Default
// (src/Brigade.Cli/Engines/EngineRegistry.cs). The test puts it beside the shipped entries.
using Brigade.Cli.Engines;

namespace Contoso.Engines;

internal static class RegistryEntry
{
    private static readonly BackgroundThreadsEngine Engine = new();

    // <snippet:RegistryEntry>
    public static EngineEntry Background { get; } =
        new("background", "threads on half the cores", Engine.Capabilities, (_, _) => ValueTask.FromResult<Brigade.Engine>(Engine));
    // </snippet:RegistryEntry>
}
