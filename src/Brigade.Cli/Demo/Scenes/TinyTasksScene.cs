using Brigade.Cli.Demo.Model;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>Thousands of sub-microsecond items: naive one-task-per-item is slower than a plain loop; batching is not.</summary>
internal sealed class TinyTasksScene : IDemoScene
{
    public string Id => "tiny-tasks";

    public string Title => "Tiny tasks: when parallelism costs more than it saves";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        const int Count = 100_000;
        var items = Enumerable.Range(0, Count).ToArray();
        var label = $"{Count:N0} tiny items";
        var cores = Environment.ProcessorCount;

        // Warm-up: JIT every path once so the measurements compare steady-state costs.
        await NaiveAsync(items.AsMemory(0, 1000).ToArray()).ConfigureAwait(false);
        _ = await Runner.MapAsync(items.AsMemory(0, 1000).ToArray(), Workloads.Tiny, DemoContext.Options(Engine.ThreadPool, "warm-up"), cancellationToken).ConfigureAwait(false);
        _ = await Runner.MapAsync(items.AsMemory(0, 1000).ToArray(), Workloads.Tiny, DemoContext.Options(Engine.Sequential, "warm-up"), cancellationToken).ConfigureAwait(false);

        var seq = await Runner.MapAsync(items, Workloads.Tiny, DemoContext.Options(Engine.Sequential, label), cancellationToken).ConfigureAwait(false);
        var seqWall = seq.Report.WallTime;
        result.Runs.Add(context.Record(seq.Report, seqWall, 1));

        var (naiveWall, naiveCpu) = DemoContext.Measure(() => NaiveAsync(items).GetAwaiter().GetResult());
        // One task per item: one batch per item, as the threadpool run with batch 1 below.
        result.Runs.Add(DemoContext.Baseline("Task.Run per item", label, cores, Count, naiveWall, naiveCpu, seqWall, cores, batches: Count));

        var unbatched = await Runner.MapAsync(items, Workloads.Tiny, DemoContext.Options(Engine.ThreadPool, label + ", batch 1", batchSize: 1), cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(unbatched.Report, seqWall, cores));

        var batched = await Runner.MapAsync(items, Workloads.Tiny, DemoContext.Options(Engine.ThreadPool, label + ", adaptive batches"), cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(batched.Report, seqWall, cores));

        var perItemNs = seqWall.TotalNanoseconds / Count;
        result.Conclusion =
            $"Each item takes ~{perItemNs:0} ns. One Task.Run per item: {naiveWall.TotalMilliseconds:0} ms, " +
            $"{(naiveWall > seqWall ? "slower than" : "barely faster than")} the plain loop ({seqWall.TotalMilliseconds:0} ms) — per-task overhead swamps the work. " +
            $"Brigade's adaptive batches ({batched.Report.Batches} batches): {batched.Report.WallTime.TotalMilliseconds:0} ms.";
        return result;
    }

    private static async Task NaiveAsync(int[] items)
    {
        var tasks = new Task<int>[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var x = items[i];
            tasks[i] = Task.Run(() => Workloads.Tiny(x));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
