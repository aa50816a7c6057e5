using System.Runtime.Loader;

namespace Brigade.Processes.NativeWorker.Tests;

/// <summary>
/// With a worker executable, the engine's side never loads the work type's assembly file nor reflects over its
/// members: the worker finds the type in its catalog. So a work type compiled into the application (a NativeAOT or
/// single-file executable, where assemblies have no file) runs too, and an application can be its own worker
/// (<see cref="NativeWorkerHost.IsWorker"/>). samples/Brigade.Samples.NativeAotApp is the NativeAOT case, published by
/// <see cref="NativeAotPublishTests"/> on demand.
/// </summary>
public sealed class CompiledInWorkTypesTests
{
    private static readonly int[] Items = [.. Enumerable.Range(0, 50)];

    [Fact(Timeout = 60_000)]
    public async Task WorkTypeWithoutAnAssemblyFile_RunsOnTheWorkerExecutable()
    {
        // The same types as this assembly's, loaded from bytes: no file behind them, as in a single-file or NativeAOT
        // application. The shipped worker host could not load them; the worker executable has Square in its catalog.
        var context = new AssemblyLoadContext("no-file", isCollectible: true);
        try
        {
            var copy = context.LoadFromStream(new MemoryStream(await File.ReadAllBytesAsync(typeof(Square).Assembly.Location)));
            var work = (IWork<int, long>)Activator.CreateInstance(copy.GetType(typeof(Square).FullName!, throwOnError: true)!)!;
            Assert.Equal("", work.GetType().Assembly.Location);
            await using var engine = TestWorker.Engine();

            var result = await Runner.MapAsync(Items, work, TestWorker.Run(engine));

            Assert.Equal(Items.Select(i => (long)i * i), result.Values);
            Assert.Equal(0, result.Report.Failed);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task WorkTypesOfOneWorkerExecutable_ShareItsIdleWorkers()
    {
        await using var engine = TestWorker.Engine();
        var context = new AssemblyLoadContext("no-file", isCollectible: true);
        try
        {
            var copy = context.LoadFromStream(new MemoryStream(await File.ReadAllBytesAsync(typeof(Square).Assembly.Location)));
            var other = (IWork<string, string>)Activator.CreateInstance(copy.GetType(typeof(Shout).FullName!, throwOnError: true)!)!;

            await Runner.MapAsync(Items, new Square(), TestWorker.Run(engine));
            var first = engine.GetWorkerProcessIds().Order().ToArray();
            var shouted = await Runner.MapAsync(["a", "b", "c", "d"], other, TestWorker.Run(engine));

            // Another assembly (another key for the shipped worker host, which loads assemblies), the same executable.
            Assert.Equal(["A!", "B!", "C!", "D!"], shouted.Values);
            Assert.Equal(first, engine.GetWorkerProcessIds().Order().ToArray());
            Assert.Equal(2, engine.GetStatistics().WorkersStarted);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task WarmUp_ByAWorkTypeWithoutAnAssemblyFile_StartsTheExecutable()
    {
        var context = new AssemblyLoadContext("no-file", isCollectible: true);
        try
        {
            var copy = context.LoadFromStream(new MemoryStream(await File.ReadAllBytesAsync(typeof(Square).Assembly.Location)));
            await using var engine = TestWorker.Engine();

            await engine.WarmUpAsync(copy.GetType(typeof(Square).FullName!, throwOnError: true)!);
            var result = await Runner.MapAsync(Items, new Square(), TestWorker.Run(engine));

            Assert.Equal(2, engine.GetStatistics().WorkersStarted);
            Assert.Equal(Items.Select(i => (long)i * i), result.Values);
        }
        finally
        {
            context.Unload();
        }
    }

    [Theory]
    [InlineData(new[] { "--parent", "4242", "--assembly", "/app/MyApp", "--work", "MyApp.Square" }, true)]
    [InlineData(new[] { "--parent", "1" }, true)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--json" }, false)]
    [InlineData(new[] { "--parent" }, false)]
    [InlineData(new[] { "--parent", "me" }, false)]
    [InlineData(new[] { "input.txt", "--parent", "1" }, false)]
    public void IsWorker_RecognisesOnlyTheEnginesCommandLine(string[] args, bool expected) =>
        Assert.Equal(expected, NativeWorkerHost.IsWorker(args));
}
