using System.Diagnostics;
using Brigade.Cli.Demo.Model;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>The classic: a task that sleeps 1 s, twice, one after the other and then on two threads.</summary>
internal sealed class SleepingTaskScene : IDemoScene
{
    public string Id => "sleeping-task";

    public string Title => "The sleeping task: one after the other, then on threads";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var one = TimeSpan.FromSeconds(1);

        var seq2 = await RunTasksAsync(context, Engine.Sequential, "2 tasks", 2, one, cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(seq2, seq2.WallTime));
        var thr2 = await RunTasksAsync(context, Engine.Threads, "2 tasks", 2, one, cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(thr2, seq2.WallTime));

        // The ten-task run is the slow one; --quick keeps its shape with shorter sleeps.
        var tenSleep = context.Quick ? TimeSpan.FromMilliseconds(200) : one;
        var tenLabel = context.Quick ? "10 tasks × 0.2 s" : "10 tasks";
        var seq10 = await RunTasksAsync(context, Engine.Sequential, tenLabel, 10, tenSleep, cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(seq10, seq10.WallTime));
        var thr10 = await RunTasksAsync(context, Engine.Threads, tenLabel, 10, tenSleep, cancellationToken).ConfigureAwait(false);
        result.Runs.Add(context.Record(thr10, seq10.WallTime));

        result.Conclusion =
            $"Two 1 s sleeps took {seq2.WallTime.TotalSeconds:0.00} s one after the other and {thr2.WallTime.TotalSeconds:0.00} s on two threads " +
            $"({seq2.WallTime / thr2.WallTime:0.0}× faster); ten took {seq10.WallTime.TotalSeconds:0.00} s and {thr10.WallTime.TotalSeconds:0.00} s. " +
            "A sleeping (or I/O-waiting) task uses no CPU, so threads overlap the waits.";
        return result;
    }

    private static async Task<RunReport> RunTasksAsync(DemoContext context, Engine engine, string label, int count, TimeSpan sleep, CancellationToken cancellationToken)
    {
        var tag = $"{engine.Name}, {label}";
        var origin = Stopwatch.StartNew();
        var width = engine == Engine.Sequential ? (int?)null : count;
        var run = await Runner.MapAsync(
            Enumerable.Range(1, count).ToArray(),
            task =>
            {
                context.Live($"  [grey]{tag}:[/] task {task} [blue]started[/] on thread {Environment.CurrentManagedThreadId} at +{origin.Elapsed.TotalSeconds:0.00} s");
                Thread.Sleep(sleep);
                context.Live($"  [grey]{tag}:[/] task {task} [green]completed[/] at +{origin.Elapsed.TotalSeconds:0.00} s");
                return task;
            },
            DemoContext.Options(engine, label, width, batchSize: 1),
            cancellationToken).ConfigureAwait(false);
        return run.Report;
    }
}
