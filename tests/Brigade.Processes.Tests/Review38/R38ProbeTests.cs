using System.Diagnostics;

namespace Brigade.Processes.Tests.Review38;

/// <summary>Review 38: faults a user's program meets on the process engine; every item accounted for once, no leaked worker.</summary>
public sealed class R38ProbeTests
{
    private static R38Input[] Inputs(int count, string how, int culprit) =>
        [.. Enumerable.Range(0, count).Select(i => new R38Input(i, how, culprit))];

    private static void AssertOthers(RunResult<int> result, int culprit)
    {
        for (var i = 0; i < result.Count; i++)
        {
            Assert.Equal(i, result[i].Index);
            if (i != culprit)
            {
                Assert.True(result[i].IsSuccess, $"item {i}: {result[i]}");
                Assert.Equal(i * 3, result[i].Value);
            }
        }
    }

    private static async Task AssertNoWorkersLeftAsync(ProcessEngine engine, IEnumerable<int> seen)
    {
        await engine.DisposeAsync();
        Assert.Empty(await ProcessList.WaitGoneAsync(seen.Concat(engine.GetWorkerProcessIds()), ProcessList.GoneBound));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("stackoverflow")]
    [InlineData("exit")]
    public async Task WorkerDeath_MidRun_OnlyTheCulpritFails(string how)
    {
        var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Inputs(40, how, 23), new R38Crasher(), TestEngines.Run(engine));
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(23, failure.Index);
        Assert.IsType<WorkerCrashedException>(failure.Exception);
        Assert.Contains("23", failure.Exception.Message, StringComparison.Ordinal);
        AssertOthers(result, 23);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task OutOfMemory_UnderAHeapLimit_FailsTheItem()
    {
        var engine = TestEngines.Create(o => o.EnvironmentVariables["DOTNET_GCHeapHardLimit"] = "0x8000000");
        var result = await Runner.MapAsync(Inputs(20, "oom", 9), new R38Crasher(), TestEngines.Run(engine));
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(9, failure.Index);
        Assert.Contains("OutOfMemory", failure.Exception.ToString(), StringComparison.Ordinal);
        AssertOthers(result, 9);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task GarbageOnStdoutAndStderr_DoesNotTouchTheChannel()
    {
        var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Inputs(30, "stdout", 4), new R38Crasher(), TestEngines.Run(engine));
        Assert.True(result.IsSuccess, string.Join("; ", result.Report.Failures));
        AssertOthers(result, -1);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task CyclicResult_FailsOnlyItsItem()
    {
        var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 20).ToArray(), new R38Cycle(), TestEngines.Run(engine, batchSize: 20));
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(5, failure.Index);
        Assert.Contains("cycle", failure.Exception.ToString(), StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i < 20; i++)
        {
            if (i != 5)
            {
                Assert.Equal(i, result[i].Value!.Id);
            }
        }

        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResultTheHostCannotRead_FailsOnlyItsItem()
    {
        var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 20).ToArray(), new R38MakePicky(), TestEngines.Run(engine, batchSize: 20));
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(7, failure.Index);
        Assert.Contains("negative values refused", failure.Exception.ToString(), StringComparison.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            if (i != 7)
            {
                Assert.Equal(i, result[i].Value!.Value);
            }
        }

        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task InputTheWorkerCannotRead_FailsOnlyItsItem()
    {
        var engine = TestEngines.Create();
        var inputs = Enumerable.Range(0, 20).Select(i => R38Picky.Raw(i == 7 ? -7 : i)).ToArray();
        var result = await Runner.MapAsync(inputs, new R38TakePicky(), TestEngines.Run(engine, batchSize: 20));
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(7, failure.Index);
        Assert.Contains("negative values refused", failure.Exception.ToString(), StringComparison.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            if (i != 7)
            {
                Assert.Equal(i, result[i].Value);
            }
        }

        Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task ConstructorThrows_RunFailsBeforeAnyItem_NamesTheCause()
    {
        var engine = TestEngines.Create();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Runner.MapAsync(Enumerable.Range(0, 5).ToArray(), new R38CtorThrowsProxy(), TestEngines.Run(engine)));
        Assert.Contains("r38 constructor refuses", e.ToString(), StringComparison.Ordinal);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 120_000)]
    public async Task HugeResults_100MB_Delivered_OrFailedWithAReason()
    {
        var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        const int size = 100_000_000;
        var result = await Runner.MapAsync([size, 1, 2], new R38Big(), TestEngines.Run(engine, batchSize: 3));
        Assert.Equal(3, result.Count);
        for (var i = 0; i < 3; i++)
        {
            var expected = i == 0 ? size : i;
            Assert.True(result[i].IsSuccess || result[i].Exception is not null, $"item {i}");
            if (result[i].IsSuccess)
            {
                Assert.Equal(expected, result[i].Value!.Length);
            }
        }

        Assert.True(result.IsSuccess, string.Join("; ", result.Report.Failures));
        await AssertNoWorkersLeftAsync(engine, []);
    }

    // A hang check: the worker builds and serializes a 300 MB result, which took more than 60 s at load 60, and more than
    // 180 s at load 70-150 (flake48).
    [Fact(Timeout = 420_000)]
    public async Task ResultOverTheFrameLimit_FailsItsItemWithTheReason_WorkerSurvives()
    {
        var engine = TestEngines.Create(o => o.MaxWorkers = 1);

        // The first batch holds one item: its 270 MB result cannot travel in a 256 MiB frame.
        var result = await Runner.MapAsync([90_000_000, 1, 2], new R38Escaped(), TestEngines.Run(engine));

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(0, failure.Index);
        Assert.Contains("256 MiB", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, result[1].Value!.Length);
        Assert.Equal(2, result[2].Value!.Length);
        Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task TwoRunsOnOneEngine_Concurrently_BothComplete()
    {
        var engine = TestEngines.Create();
        var a = Runner.MapAsync(Inputs(200, "exit", 50), new R38Crasher(), TestEngines.Run(engine));
        var b = Runner.MapAsync(Enumerable.Range(0, 300).ToArray(), new Square(), TestEngines.Run(engine));
        var ra = await a;
        var rb = await b;
        Assert.Equal(50, Assert.Single(ra.Report.Failures).Index);
        AssertOthers(ra, 50);
        Assert.True(rb.IsSuccess);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i * i), rb.Values);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(null)]
    [InlineData(50)]
    public async Task MapReduce_CombineThrows_RunEndsWithTheError(int? batchSize)
    {
        var engine = TestEngines.Create();

        // Item 100's square meets the combiner as its right operand, or as its left one when it opens a batch (its batch's
        // fold then starts from it, and the merge sees only the batch's sum): the combiner refuses it either way, whatever
        // the batch split, which the process engine chooses by timing.
        var run = Runner.MapReduceAsync(Enumerable.Range(0, 200).ToArray(), new Square(), (x, y) => x == 100 * 100 || y == 100 * 100 ? throw new InvalidOperationException("combine refuses 100") : x + y, TestEngines.Run(engine, batchSize));
        var done = await Task.WhenAny(run, Task.Delay(30_000));
        Assert.Same(run, done);
        try
        {
            var r = await run;
            Assert.False(r.IsSuccess, "a failing combine reported success");
            Assert.Contains(r.Report.Failures, f => f.Exception.ToString().Contains("combine refuses 100", StringComparison.Ordinal));
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("combine refuses 100", e.Message, StringComparison.Ordinal);
        }

        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task OrderedStream_CrashInTheMiddle_KeepsEveryLaterItemInOrder()
    {
        var engine = TestEngines.Create();
        var options = TestEngines.Run(engine);
        options.PreserveOrder = true;
        var seen = new List<ItemResult<int>>();
        await foreach (var item in Runner.StreamAsync(Inputs(500, "exit", 250), new R38Crasher(), options))
        {
            seen.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), seen.Select(s => s.Index));
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(i != 250, seen[i].IsSuccess);
        }

        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task ItemRetry_WithACrashingWorker_ReportsTheCrash()
    {
        var engine = TestEngines.Create();
        var options = TestEngines.Run(engine);
        options.ItemRetry = new ItemRetryOptions { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(1) };
        var result = await Runner.MapAsync(Inputs(40, "exit", 17), new R38Crasher(), options);
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(17, failure.Index);
        Assert.IsType<WorkerCrashedException>(failure.Exception);
        AssertOthers(result, 17);
        await AssertNoWorkersLeftAsync(engine, []);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_WhileAStreamIsRead_StreamEnds_NoWorkerLeft()
    {
        var engine = TestEngines.Create();
        // 400 items of 100 ms: a stream that went on after the dispose would take 20 s more on two workers. The clock starts
        // at the dispose, not before the workers' start-up (which alone can take 10 s and more at load 40).
        var stream = Runner.StreamAsync(Enumerable.Repeat(100, 400).ToArray(), new Sleep(), TestEngines.Run(engine, batchSize: 1));
        var pids = new HashSet<int>();
        var count = 0;
        var watch = Stopwatch.StartNew();
        var thrown = await Record.ExceptionAsync(async () =>
        {
            await foreach (var item in stream)
            {
                pids.UnionWith(engine.GetWorkerProcessIds());
                if (++count == 4)
                {
                    watch.Restart();
                    engine.Dispose();
                }
            }
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.True(count < 400, "every item ran after the engine was disposed");
        Assert.True(thrown is ObjectDisposedException || stream.Failure is ObjectDisposedException, $"thrown {thrown}, failure {stream.Failure}");
        Assert.Empty(await ProcessList.WaitGoneAsync(pids, ProcessList.GoneBound));
    }

    [Fact(Timeout = 60_000)]
    public async Task CancelDuringIsolationRetry_RunEnds_NothingCountedTwice()
    {
        var engine = TestEngines.Create();
        using var cancel = new CancellationTokenSource();
        var progress = new Progress<RunProgress>(_ =>
        {
            if (engine.GetStatistics().WorkerCrashes >= 1)
            {
                cancel.Cancel();
            }
        });
        var options = TestEngines.Run(engine);
        options.Progress = progress;
        var e = await Record.ExceptionAsync(() => Runner.MapAsync(Inputs(400, "exit", 100), new R38Crasher(), options, cancel.Token));
        if (e is RunCanceledException cancelled)
        {
            var report = cancelled.Report;
            Assert.Equal(400, report.Items);
            Assert.Equal(400, report.Succeeded + report.Failed + report.NotRun);
        }

        await AssertNoWorkersLeftAsync(engine, []);
    }
}

/// <summary>The constructor throws only in the worker, so the test can pass an instance.</summary>
public sealed class R38CtorThrowsProxy : IWork<int, int>
{
    public R38CtorThrowsProxy()
    {
        if (Environment.GetEnvironmentVariable("BRIGADE_TEST_IN_WORKER") == "1" || Environment.CommandLine.Contains("Brigade.Processes.Worker", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("r38 constructor refuses");
        }
    }

    public int Execute(int input) => input;
}
