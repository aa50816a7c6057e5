using Brigade.Cli.Engines;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Engines;

public sealed class EngineRegistryTests
{
    private static readonly string[] Shipped = ["auto", "sequential", "threadpool", "threads", "async", "processes", "cluster"];

    [Fact]
    public void Entries_AreEveryShippedEngine_InHelpOrder()
    {
        Assert.Equal(Shipped, EngineRegistry.Default.Entries.Select(e => e.Name));
        Assert.Equal(
            "auto (measure and choose), sequential, threadpool, threads, async, processes (--work only) or cluster (--work only).",
            EngineRegistry.Default.Help);
    }

    [Theory]
    [InlineData("threads", "threads")]
    [InlineData("ThreadPool", "threadpool")]
    [InlineData("PROCESSES", "processes")]
    public void Resolve_AnyCase_FindsTheEntry(string given, string expected) =>
        Assert.Equal(expected, EngineRegistry.Default.Resolve(given).Name);

    [Fact]
    public void Resolve_UnknownName_UsageErrorListsEveryEngine()
    {
        var e = Assert.Throws<CliUsageException>(() => EngineRegistry.Default.Resolve("gpu"));

        Assert.Equal("--engine: unknown engine 'gpu'; choose auto, sequential, threadpool, threads, async, processes or cluster", e.Message);
    }

    [Fact]
    public async Task Create_EveryLocalEntry_GivesAnEngineWithTheEntrysNameAndCapabilities()
    {
        var resources = new EngineResources();
        await using var release = resources.ConfigureAwait(false);
        foreach (var entry in EngineRegistry.Default.Entries.Where(e => e.Name != "cluster"))
        {
            foreach (var forCommands in entry.NeedsWorkType ? new[] { false } : [false, true])
            {
                var request = new EngineRequest(Jobs: 2, ItemTimeout: null, Retries: 0, forCommands, resources);
                entry.Check(request);
                var engine = await entry.Create(request, CancellationToken.None);

                Assert.Equal(entry.Name, engine.Name);
                Assert.Equal(entry.Capabilities, engine.Capabilities);
            }
        }
    }

    [Theory]
    [InlineData("processes")]
    [InlineData("cluster")]
    public void Check_WorkTypeOnlyEngine_RejectsCommandsAndRetries(string name)
    {
        var entry = EngineRegistry.Default.Resolve(name);
        var resources = new EngineResources();

        var commands = Assert.Throws<CliUsageException>(() => entry.Check(new EngineRequest(null, null, 0, ForCommands: true, resources)));
        var retries = Assert.Throws<CliUsageException>(() => entry.Check(new EngineRequest(null, null, Retries: 1, ForCommands: false, resources)));

        Assert.Equal($"--engine {name} runs .NET work types (--assembly/--work); an --exec command already runs as its own process", commands.Message);
        Assert.StartsWith("--retries applies to --exec and in-process engines", retries.Message, StringComparison.Ordinal);
        Assert.True(entry.NeedsWorkType);
        Assert.False(entry.InProcess);
    }
}
