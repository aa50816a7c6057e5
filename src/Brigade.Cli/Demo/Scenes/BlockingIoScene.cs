using Brigade.Cli.Demo.Model;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>64 blocking 1 s calls: the .NET thread pool injects threads slowly, dedicated threads run them all at once.</summary>
internal sealed class BlockingIoScene : IDemoScene
{
    private const int Items = 64;

    public string Id => "blocking-io";

    public string Title => "Blocking I/O: 64 blocking 1 s calls";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var items = Enumerable.Range(0, Items).ToArray();
        var sequentialEstimate = TimeSpan.FromSeconds(Items);

        context.Live($"  [grey]Parallel.ForEach over {Items} blocking calls (Thread.Sleep(1000)) on the thread pool...[/]");
        // The pitfall on purpose: blocking calls on the thread pool, measured against Engine.Threads below.
#pragma warning disable BRG2003
        var (pfWall, pfCpu) = DemoContext.Measure(() =>
            Parallel.ForEach(items, new ParallelOptions { CancellationToken = cancellationToken }, _ => Thread.Sleep(1000)));
#pragma warning restore BRG2003
        result.Runs.Add(DemoContext.Baseline("Parallel.ForEach", $"{Items} blocking calls", Environment.ProcessorCount, Items, pfWall, pfCpu, sequentialEstimate, Items));

        context.Live($"  [grey]Brigade Threads engine, {Items} dedicated threads...[/]");
        var threads = await Runner.ForEachAsync(items, _ => Thread.Sleep(1000), DemoContext.Options(Engine.Threads, $"{Items} blocking calls", Items, 1), cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(threads, sequentialEstimate, Items));

        result.Conclusion =
            $"{Items} blocking 1 s calls took {pfWall.TotalSeconds:0.0} s with Parallel.ForEach (the thread pool adds threads slowly while its threads block) " +
            $"and {threads.WallTime.TotalSeconds:0.00} s on {Items} dedicated threads: use Engine.Threads for blocking work.";
        return result;
    }
}
