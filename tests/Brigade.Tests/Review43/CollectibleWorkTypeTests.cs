using Brigade.TestSupport;

namespace Brigade.Tests.Review43;

/// <summary>
/// Review 43: a work type from a collectible <see cref="System.Runtime.Loader.AssemblyLoadContext"/> (a plugin, a
/// scripting host, hot reload) must not keep its context alive once the host unloads it. Before, the work descriptor
/// cache (a static dictionary keyed by type) and the default serializer options' metadata cache held it for ever.
/// </summary>
[Collection(nameof(CollectibleWorkTypeTests))]
public sealed class CollectibleWorkTypeTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async", "auto"];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Engines))]
    public async Task RunOnAnInProcessEngine_TheContextUnloads(string engine)
    {
        await Task.Yield();
        var options = new RunOptions
        {
            Engine = engine switch
            {
                "sequential" => Engine.Sequential,
                "threadpool" => Engine.ThreadPool,
                "threads" => Engine.Threads,
                "async" => Engine.Async,
                _ => Engine.Auto,
            },
        };
        int[]? values = null;

        var context = CollectiblePlugin.LoadUseAndUnload(type => values = CollectiblePlugin.Map(type, 50, options));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 2), values);
        Assert.True(CollectiblePlugin.IsCollected(context), $"The plugin's context is still alive after a run on the {engine} engine.");
    }

    [Fact(Timeout = 120_000)]
    public async Task Described_AsTheProcessAndClusterEnginesDo_TheContextUnloads()
    {
        await Task.Yield();
        var context = CollectiblePlugin.LoadUseAndUnload(static type =>
        {
            var descriptor = WorkDescriptor.For(type);
            Assert.Same(descriptor, WorkDescriptor.For(type));
            descriptor.EnsureSerializable();
            var payload = Activator.CreateInstance(descriptor.InputType)!;
            descriptor.InputType.GetField("Value")!.SetValue(payload, 21);
            var json = System.Text.Json.JsonSerializer.Serialize(payload, descriptor.InputTypeInfo);
            Assert.Equal("{\"Value\":21}", json);
            Assert.NotNull(WorkDescriptor.Find("CollectiblePlugin.Doubler", [type.Assembly]));
        });

        Assert.True(CollectiblePlugin.IsCollected(context), "The plugin's context is still alive after WorkDescriptor.For.");
    }

    [Fact]
    public void OrdinaryTypes_StayCached()
    {
        Assert.Same(WorkDescriptor.For(typeof(R43OrdinaryWork)), WorkDescriptor.For(typeof(R43OrdinaryWork)));
    }
}

/// <summary>A work type of the default context.</summary>
public sealed class R43OrdinaryWork : IWork<int, int>
{
    public int Execute(int input) => input;
}
