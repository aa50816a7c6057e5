using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>Sync-over-async on the thread pool: pool threads block on tasks that need the pool to finish; the monitor reports it.</summary>
internal sealed class ThreadPoolStarvationScene : IDemoScene
{
    private static readonly TimeSpan Io = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(300);

    public string Id => "threadpool-starvation";

    public string Title => "Thread-pool starvation: blocking on async work (sync-over-async)";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };

        // Everything that waits for the pool to recover runs on a dedicated thread: code on the starved pool could not.
        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Experiment(context, cancellationToken));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "threadpool-scene",
        };
        thread.Start();
        var outcome = await done.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);

        var sequential = Io * outcome.Items;
        // Both baselines start one Task.Run per call: one batch per item.
        result.Runs.Add(DemoContext.Baseline("Task.Run + .GetAwaiter().GetResult()", $"{outcome.Items} × {Io.TotalMilliseconds:0} ms async I/O, blocked on", outcome.ThreadsAtEnd, outcome.Items, outcome.BlockingWall, outcome.BlockingCpu, sequential, outcome.Items, batches: outcome.Items));
        result.Runs.Add(DemoContext.Baseline("Task.Run + await", $"{outcome.Items} × {Io.TotalMilliseconds:0} ms async I/O, awaited", outcome.ThreadsAtEnd, outcome.Items, outcome.AsyncWall, outcome.AsyncCpu, sequential, outcome.Items, batches: outcome.Items));

        result.Detected = outcome.Report is not null;
        result.DetectionMs = outcome.Report is null ? null : PitfallSceneHelpers.Milliseconds(outcome.DetectedAfter);
        result.Report = outcome.Report?.Message;
        result.Conclusion = outcome.Report is null
            ? $"The pool was not starved this time ({outcome.ThreadsAtStart} threads were already there for {outcome.Items} blocking calls)."
            : $"{outcome.Items} calls that block a pool thread on 100 ms of async I/O starved the pool: Brigade's monitor reported it ({PitfallCodes.ThreadPoolStarvation}) " +
              $"{outcome.DetectedAfter.TotalMilliseconds:0} ms in, with {outcome.Report.QueueLength} items queued, {outcome.Report.CompletedDuring} completed and {outcome.Report.ThreadsAtStart} → {outcome.Report.ThreadsNow} threads. " +
              $"The same calls awaited took {outcome.AsyncWall.TotalSeconds:0.00} s and {(outcome.AsyncReports == 0 ? "starved nothing" : "were reported too")}.";
        return result;
    }

    private static Outcome Experiment(DemoContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new PitfallDiagnostics();
        var detected = new ManualResetEventSlim();
        diagnostics.Reported += (_, _) => detected.Set();
        using var monitor = ThreadPoolStarvationMonitor.Start(new ThreadPoolMonitorOptions
        {
            Interval = TimeSpan.FromMilliseconds(50),
            Threshold = Threshold,
            Diagnostics = diagnostics,
        });

        // More blocking calls than the pool has threads (it may have grown in earlier scenes), so that it starves.
        var threadsAtStart = ThreadPool.ThreadCount;
        var items = threadsAtStart + (4 * Environment.ProcessorCount) + 16;
        context.Live($"  [grey]{items} work items on the thread pool ({threadsAtStart} threads), each blocking on a 100 ms async call with .GetAwaiter().GetResult() — the await inside needs a pool thread to finish...[/]");

        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        // The pitfall on purpose: sync-over-async on the pool, so that the monitor has a starvation to detect.
#pragma warning disable BRG2003
        var blocking = Enumerable.Range(0, items).Select(_ => Task.Run(() => CallAsync().GetAwaiter().GetResult(), cancellationToken)).ToArray();
#pragma warning restore BRG2003
        var wasDetected = detected.Wait(TimeSpan.FromSeconds(10), cancellationToken);
        var detectedAfter = watch.Elapsed;
        var report = diagnostics.Reports.OfType<ThreadPoolStarvationReport>().FirstOrDefault();
        if (wasDetected && report is not null)
        {
            context.Live($"  [red]Starvation detected after {detectedAfter.TotalMilliseconds:0} ms:[/]");
            PitfallSceneHelpers.ShowReport(context, "yellow", report.Message);
        }

        // End the episode now rather than waiting seconds for the pool to add threads one by one: raise the minimum
        // (the stopgap the report warns about), and restore it afterwards.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, items + 8), minIo);
        try
        {
            Task.WaitAll(blocking, cancellationToken);
        }
        finally
        {
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }

        var blockingWall = watch.Elapsed;
        var blockingCpu = Environment.CpuUsage.TotalTime - cpu;
        var threadsAtEnd = ThreadPool.ThreadCount;
        context.Live($"  [grey]Blocked version finished in {blockingWall.TotalSeconds:0.00} s (the pool grew to {threadsAtEnd} threads). Now the same calls, awaited...[/]");

        var reportsBefore = diagnostics.Reports.Count;
        cpu = Environment.CpuUsage.TotalTime;
        watch.Restart();
        var awaited = Enumerable.Range(0, items).Select(_ => Task.Run(async () => await CallAsync().ConfigureAwait(false), cancellationToken)).ToArray();
        Task.WaitAll(awaited, cancellationToken);
        var asyncWall = watch.Elapsed;
        var asyncCpu = Environment.CpuUsage.TotalTime - cpu;

        return new Outcome(items, threadsAtStart, threadsAtEnd, wasDetected ? report : null, detectedAfter, blockingWall, blockingCpu, asyncWall, asyncCpu, diagnostics.Reports.Count - reportsBefore);
    }

    /// <summary>Asynchronous I/O whose continuation runs on the thread pool.</summary>
    private static async Task<int> CallAsync()
    {
        await Task.Delay(Io).ConfigureAwait(false);
        return 1;
    }

    private sealed record Outcome(
        int Items, int ThreadsAtStart, int ThreadsAtEnd, ThreadPoolStarvationReport? Report, TimeSpan DetectedAfter,
        TimeSpan BlockingWall, TimeSpan BlockingCpu, TimeSpan AsyncWall, TimeSpan AsyncCpu, int AsyncReports);
}
