using System.Diagnostics;
using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests;

public sealed class LifetimeTests
{
    [Fact(Timeout = 120_000)]
    public async Task Cancellation_StopsTheRun_AndLeavesNoWorkerProcessBehind()
    {
        var engine = TestEngines.Create();
        var seen = new HashSet<int>();
        var completed = 0L;
        using var cancel = new CancellationTokenSource();
        // 400 items of 200 ms: a run that did not stop would take 40 s on two workers, far from the 15 s bound below.
        var items = Enumerable.Repeat(200, 400).ToArray();
        var progress = new Progress<RunProgress>(p =>
        {
            lock (seen)
            {
                seen.UnionWith(engine.GetWorkerProcessIds());
                completed = Math.Max(completed, p.Completed);
            }
        });

        var run = Runner.MapAsync(items, new Sleep(), new RunOptions { Engine = engine, Progress = progress }, cancel.Token);
        while (engine.GetStatistics().LiveWorkers < 2)
        {
            await Task.Delay(10);
        }

        // Cancel mid-run, not before the first item: a fixed 300 ms here let a loaded machine cancel a run that had not
        // started an item, and the test passed without stopping one. Two items done means both workers ran items and
        // have the next ones running (each sleeps 200 ms; 398 are left).
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref completed) < 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "no item finished");
            await Task.Delay(20);
        }

        lock (seen)
        {
            seen.UnionWith(engine.GetWorkerProcessIds());
            Assert.True(completed < items.Length - 10, $"the run was nearly over ({completed} done) before the cancel");
        }

        var watch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"cancellation took {watch.Elapsed}");

        // After the run: its workers are idle in the pool, none still running an item.
        var stats = engine.GetStatistics();
        Assert.Equal(stats.LiveWorkers, stats.IdleWorkers);

        await engine.DisposeAsync();
        Assert.Empty(await ProcessList.WaitGoneAsync(seen, ProcessList.GoneBound));
        Assert.Empty(ProcessList.WorkerChildren(Environment.ProcessId).Intersect(seen));
        Assert.Equal(0, engine.GetStatistics().LiveWorkers);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_KillsWorkersEvenMidRun()
    {
        var engine = TestEngines.Create();
        var run = Runner.MapAsync(Enumerable.Repeat(10_000, 4).ToArray(), new Sleep(), TestEngines.Run(engine, batchSize: 1));
        while (engine.GetStatistics().LiveWorkers < 2)
        {
            await Task.Delay(10);
        }

        var pids = engine.GetWorkerProcessIds();
        await engine.DisposeAsync();

        Assert.IsType<ObjectDisposedException>((await Assert.ThrowsAsync<RunFailedException>(() => run)).InnerException);
        Assert.Empty(await ProcessList.WaitGoneAsync(pids, ProcessList.GoneBound));
    }

    [Fact(Timeout = 60_000)]
    public async Task ParentKilled_WorkersAreGoneWithinTenSeconds()
    {
        var bin = Path.GetDirectoryName(typeof(LifetimeTests).Assembly.Location)!;
        var launcher = WorkerLauncher.Resolve(new ProcessEngineOptions());
        var info = new ProcessStartInfo(launcher.DotnetPath) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(bin, "Brigade.Processes.TestHost.dll"));
        info.ArgumentList.Add("2");
        using var parent = Process.Start(info)!;
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(40));
            Assert.NotNull(line);
            Assert.StartsWith("workers ", line);
            var workers = line["workers ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.Equal(2, workers.Count);
            Assert.All(workers, pid => Assert.True(ProcessList.IsAlive(pid)));

            parent.Kill(); // SIGKILL: no handler of the parent runs
            var watch = Stopwatch.StartNew();

            // The kernel kills them with the parent (PR_SET_PDEATHSIG; else the end of their channel ends them), at once
            // on a quiet machine. What is checked is that they go, not how fast: 2 s, then 10 s, were short for a machine
            // at load 40 running four test assemblies; GoneBound (30 s) still catches a worker that stays.
            var alive = await ProcessList.WaitGoneAsync(workers, ProcessList.GoneBound);

            Assert.Empty(alive);
            Assert.True(watch.Elapsed < ProcessList.GoneBound + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task IdleTimeout_StopsIdleWorkers()
    {
        // Long enough that a loaded machine still finds the workers alive right after the run (300 ms did not, once).
        await using var engine = TestEngines.Create(o => o.IdleTimeout = TimeSpan.FromSeconds(3));
        await Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), new Square(), TestEngines.Run(engine));
        var pids = engine.GetWorkerProcessIds();
        Assert.NotEmpty(pids);

        Assert.Empty(await ProcessList.WaitGoneAsync(pids, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, engine.GetStatistics().LiveWorkers);
    }

    [Fact(Timeout = 60_000)]
    public async Task SecondLoopThreadCannotStart_RunCompletesOnTheFirstLoop_NoHang()
    {
        // Out of threads when the first loop widens the run: it goes on alone. (The loop's place was once never given
        // back, so the run waited forever for a loop that did not exist.)
        await using var engine = TestEngines.Create();
        Brigade.Engines.WorkerGroup.ThreadStarterForTests = t =>
        {
            if (t.Name == "brigade-process-loop-1")
            {
                throw new OutOfMemoryException("no thread for loop 1");
            }

            t.Start();
        };

        var run = Runner.MapAsync(Enumerable.Range(0, 50).ToArray(), new Square(), TestEngines.Run(engine, batchSize: 5));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.IsSuccess);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i * i), result.Values);
        Assert.Single(result.Report.Workers);
    }

    [Fact(Timeout = 60_000)]
    public async Task NoLoopThreadCanStart_RunFailsWithTheError()
    {
        await using var engine = TestEngines.Create();
        Brigade.Engines.WorkerGroup.ThreadStarterForTests = _ => throw new OutOfMemoryException("no thread at all");

        var ex = await Assert.ThrowsAsync<OutOfMemoryException>(() => Runner.MapAsync(Enumerable.Range(0, 50).ToArray(), new Square(), TestEngines.Run(engine)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("no thread at all", ex.Message);
    }
}
