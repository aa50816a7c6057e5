using Brigade.Cli.Engines;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review42;

/// <summary>Auto mode's ceiling for --exec commands: its own (32 per core, within the system's limits), or --jobs when higher.</summary>
public sealed class AutoCommandCeilingTests
{
    [Fact]
    public void JobsAboveTheCommandLimit_RaiseAutoModesCeiling()
    {
        var limit = EngineResources.CommandLimit();

        Assert.Equal(limit, EngineRegistry.AutoCommandCeiling(null));
        Assert.Equal(limit, EngineRegistry.AutoCommandCeiling(1));
        Assert.Equal(limit + 10, EngineRegistry.AutoCommandCeiling(limit + 10));
        Assert.Equal(65_536, EngineRegistry.AutoCommandCeiling(int.MaxValue));
    }
}
