using Brigade.TestSupport;

namespace Brigade.Processes.Tests.Review43;

/// <summary>
/// Review 43: a work type from a collectible context, run on the process engine (its worker loads the plugin's file):
/// once the run is over and the host unloads the context, nothing of the engine keeps it alive.
/// </summary>
public sealed class CollectibleWorkTypeProcessTests
{
    [Fact(Timeout = 120_000)]
    public async Task RunOnTheProcessEngine_TheContextUnloads_WhileTheEngineLives()
    {
        await using var engine = TestEngines.Create();
        int[]? values = null;

        var context = CollectiblePlugin.LoadUseAndUnload(type => values = CollectiblePlugin.Map(type, 20, TestEngines.Run(engine)));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), values);
        Assert.True(CollectiblePlugin.IsCollected(context), "The plugin's context is still alive after a run on the process engine.");
    }
}
