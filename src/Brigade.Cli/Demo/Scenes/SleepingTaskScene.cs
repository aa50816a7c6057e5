using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Work;
using Brigade.Processes;
using Spectre.Console;

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

        // The same two sleeps in two .NET worker processes: first with a cold pool (each worker starts a runtime),
        // then warm (the pool is reused across runs).
        var processes = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false });
        try
        {
            var cold = await RunInProcessesAsync(context, processes, "2 tasks, cold pool", one, cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(cold, seq2.WallTime));
            var startup = processes.GetStatistics().AverageStartupTime ?? TimeSpan.Zero;
            var warm = await RunInProcessesAsync(context, processes, "2 tasks, warm pool", one, cancellationToken).ConfigureAwait(false);
            result.Runs.Add(context.Record(warm, seq2.WallTime));
            result.Conclusion +=
                $" On two worker processes: {cold.WallTime.TotalSeconds:0.00} s with a cold pool (starting a worker took {startup.TotalMilliseconds:0} ms), " +
                $"{warm.WallTime.TotalSeconds:0.00} s warm.";
        }
        finally
        {
            await processes.DisposeAsync().ConfigureAwait(false);
        }

        return result;
    }

    private static async Task<RunReport> RunInProcessesAsync(DemoContext context, ProcessEngine engine, string label, TimeSpan sleep, CancellationToken cancellationToken)
    {
        var run = await Runner.MapAsync(
            [(int)sleep.TotalMilliseconds, (int)sleep.TotalMilliseconds],
            new SleepWork(),
            DemoContext.Options(engine, label, 2, batchSize: 1),
            cancellationToken).ConfigureAwait(false);
        var pids = string.Join(", ", run.Report.Workers.Select(w => w.Location));
        context.Live($"  [grey]processes, {Markup.Escape(label)}:[/] both tasks [green]completed[/] in {run.Report.WallTime.TotalSeconds:0.00} s on worker processes {Markup.Escape(pids)}");
        return run.Report;
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
