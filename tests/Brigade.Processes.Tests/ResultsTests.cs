using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests;

public sealed class ResultsTests
{
    [Fact(Timeout = 60_000)]
    public async Task MapAsync_SameResultsInSameOrderAsInProcessEngines()
    {
        await using var engine = TestEngines.Create();
        var items = Enumerable.Range(-5_000, 20_000).ToArray();

        var sequential = await Runner.MapAsync(items, new Square(), new RunOptions { Engine = Engine.Sequential });
        var pool = await Runner.MapAsync(items, new Square(), new RunOptions { Engine = Engine.ThreadPool });
        var processes = await Runner.MapAsync(items, new Square(), TestEngines.Run(engine));

        Assert.Equal(sequential.Values, processes.Values);
        Assert.Equal(pool.Values, processes.Values);
        Assert.Equal("processes", processes.Report.Engine);
        Assert.Equal(20_000, processes.Report.Succeeded);
        Assert.All(processes.Report.Workers, w => Assert.StartsWith("pid ", w.Location));
    }

    [Fact(Timeout = 60_000)]
    public async Task MapAsync_RichTypes_RoundTripLikeInProcess()
    {
        await using var engine = TestEngines.Create();
        var orders = MakeInvoice.Orders(500);

        var expected = await Runner.MapAsync(orders, new MakeInvoice(), new RunOptions { Engine = Engine.Sequential });
        var actual = await Runner.MapAsync(orders, new MakeInvoice(), TestEngines.Run(engine));

        Assert.Equal(expected.Values.Count, actual.Values.Count);
        for (var i = 0; i < orders.Length; i++)
        {
            var (e, a) = (expected.Values[i], actual.Values[i]);
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.Text, a.Text);
            Assert.Equal(e.Total, a.Total);
            Assert.Equal(e.Weight, a.Weight);
            Assert.Equal(e.LineCount, a.LineCount);
            Assert.Equal(e.TagNames, a.TagNames);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task AsyncWork_StreamAndReduce_MatchSequential()
    {
        await using var engine = TestEngines.Create();

        // 300 items, several batches on each worker: 3,000 took 45 s at load 50-60 (the 60 s limit was hit twice).
        var items = Enumerable.Range(0, 300).ToArray();

        var seen = new Dictionary<long, long>();
        await foreach (var r in Runner.StreamAsync(items, new SlowSquare(), TestEngines.Run(engine)))
        {
            seen.Add(r.Index, r.Value);
        }

        Assert.Equal(items.Length, seen.Count);
        Assert.All(seen, kv => Assert.Equal(kv.Key * kv.Key, kv.Value));

        var reduced = await Runner.MapReduceAsync(items, new Square(), (a, b) => a + b, TestEngines.Run(engine));
        Assert.Equal(items.Sum(x => (long)x * x), reduced.Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task LazyAsyncSourceAndFixedBatches_KeepOrder()
    {
        await using var engine = TestEngines.Create();

        static async IAsyncEnumerable<int> Numbers()
        {
            for (var i = 0; i < 2_000; i++)
            {
                if (i % 500 == 0)
                {
                    await Task.Yield();
                }

                yield return i;
            }
        }

        var lazy = await Runner.MapAsync(Numbers(), new Square(), TestEngines.Run(engine));
        Assert.Equal(Enumerable.Range(0, 2_000).Select(x => (long)x * x), lazy.Values);

        var fixedBatches = await Runner.MapAsync(Enumerable.Range(0, 1_000).ToArray(), new Square(), TestEngines.Run(engine, batchSize: 7));
        Assert.Equal(Enumerable.Range(0, 1_000).Select(x => (long)x * x), fixedBatches.Values);
        Assert.Equal(143, fixedBatches.Report.Batches);
    }

    [Fact(Timeout = 60_000)]
    public async Task PrimitiveNumbers_ArriveBitForBit()
    {
        await using var engine = TestEngines.Create();
        double[] numbers = [double.NaN, -0.0, 0.0, double.PositiveInfinity, double.MinValue, double.Epsilon, 1.0 / 3, BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF)];

        var negated = await Runner.MapAsync(numbers, new Negate(), TestEngines.Run(engine));
        var codes = await Runner.MapAsync("héllo✓".ToCharArray(), new CharCode(), TestEngines.Run(engine));

        Assert.Equal(numbers.Select(n => BitConverter.DoubleToInt64Bits(-n)), negated.Values.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal("héllo✓".Select(c => (int)c), codes.Values);
    }

    [Fact(Timeout = 60_000)]
    public async Task SourceGeneratedContext_IsUsed()
    {
        await using var engine = TestEngines.Create();
        Point[] points = [new(3, 4), new(6, 8), new(double.NaN, 1)];

        var result = await Runner.MapAsync(points, new Norm(), TestEngines.Run(engine));

        Assert.Equal(5, result[0].Value);
        Assert.Equal(10, result[1].Value);

        // The context's own options apply: they do not allow NaN, so that item fails (on this side) and only it.
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(2, failure.Index);
        Assert.Contains("AllowNamedFloatingPointLiterals", failure.Exception.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WorkExceptions_ComeBackWithTypeMessageAndStackTrace()
    {
        await using var engine = TestEngines.Create();
        var items = Enumerable.Range(0, 100).ToArray();

        var result = await Runner.MapAsync(items, new ThrowOnTens(), TestEngines.Run(engine));

        Assert.Equal(10, result.Report.Failed);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i * 10), result.Report.Failures.Select(f => f.Index));
        var remote = Assert.IsType<RemoteWorkException>(result.Report.Failures[3].Exception);
        Assert.Equal("System.InvalidOperationException", remote.RemoteType);
        Assert.Equal("item 30 refuses", remote.Message);
        Assert.Contains(nameof(ThrowOnTens.Execute), remote.RemoteStackTrace, StringComparison.Ordinal);
        Assert.StartsWith("pid ", remote.Location);
        var inner = Assert.IsType<RemoteWorkException>(remote.InnerException);
        Assert.Equal("System.FormatException", inner.RemoteType);
        Assert.Equal("inner cause", inner.Message);
        Assert.Contains("System.InvalidOperationException: item 30 refuses", remote.ToString(), StringComparison.Ordinal);
        Assert.Equal(41, result[41].Value);
        Assert.False(result[40].IsSuccess);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pool_IsReusedAcrossRuns_AndWarmUpStartsWorkersAhead()
    {
        await using var engine = TestEngines.Create();
        await engine.WarmUpAsync(typeof(WhichProcess));
        Assert.Equal(2, engine.GetStatistics().IdleWorkers);
        var warm = engine.GetWorkerProcessIds().ToHashSet();

        var first = await Runner.MapAsync(Enumerable.Range(0, 200).ToArray(), new WhichProcess(), TestEngines.Run(engine, batchSize: 1));
        var second = await Runner.MapAsync(Enumerable.Range(0, 200).ToArray(), new WhichProcess(), TestEngines.Run(engine, batchSize: 1));

        Assert.Subset(warm, first.Values.ToHashSet());
        Assert.Subset(warm, second.Values.ToHashSet());
        Assert.Equal(2, engine.GetStatistics().WorkersStarted);
        Assert.Contains("(2 warm)", second.Report.Plan, StringComparison.Ordinal);
        Assert.DoesNotContain(Environment.ProcessId, first.Values);
    }

    [Fact(Timeout = 60_000)]
    public async Task PrestartWorkType_StartsThePoolWithTheEngine_AndTheFirstRunUsesIt()
    {
        await using var engine = TestEngines.Create(o => o.PrestartWorkType = typeof(WhichProcess));

        // No run has asked for them: the engine starts its workers by itself.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (engine.GetStatistics().IdleWorkers < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, engine.GetStatistics().IdleWorkers);
        var prestarted = engine.GetWorkerProcessIds().ToHashSet();
        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), new WhichProcess(), TestEngines.Run(engine, batchSize: 1));

        Assert.Subset(prestarted, result.Values.ToHashSet());
        Assert.Equal(2, engine.GetStatistics().WorkersStarted);
        Assert.Contains("(2 warm)", result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task PrestartWorkType_ARunStartedWhileThePoolIsStarting_WaitsForItsWorkers_InsteadOfStartingMore()
    {
        await using var engine = TestEngines.Create(o => o.PrestartWorkType = typeof(WhichProcess));

        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), new WhichProcess(), TestEngines.Run(engine, batchSize: 1));

        // The run may finish on the first pre-started worker while the second is still starting: count once both are up.
        for (var waited = 0; engine.GetStatistics().IdleWorkers < 2 && waited < 30_000; waited += 50)
        {
            await Task.Delay(50);
        }

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(2, engine.GetStatistics().WorkersStarted);
    }

    [Fact]
    public void PrestartWorkType_ThatCannotCrossAProcessBoundary_IsRefusedWhenTheEngineIsCreated()
    {
        Assert.Throws<ArgumentException>(() => TestEngines.Create(o => o.PrestartWorkType = typeof(string)));
    }

    [Fact(Timeout = 60_000)]
    public async Task SlowItems_SpreadOverTheWorkers_NotQueuedBehindEachOther()
    {
        await using var engine = TestEngines.Create();
        await engine.WarmUpAsync(typeof(Sleep));

        var result = await Runner.MapAsync([1000, 50, 50, 50, 50, 50, 50], new Sleep(), TestEngines.Run(engine));

        // The worker busy with the long item must not hold a short one behind it: the other worker runs them all.
        Assert.True(result.Report.IsSuccess);
        var longOne = result.Report.Timeline.Single(e => e.FirstIndex == 0).WorkerId;
        Assert.Equal(1, result.Report.Workers.Single(w => w.Id == longOne).Items);
    }

    [Fact(Timeout = 60_000)]
    public async Task TinyItems_AreBatchedAutomatically()
    {
        await using var engine = TestEngines.Create();
        var items = Enumerable.Range(0, 100_000).ToArray();

        var result = await Runner.MapAsync(items, new Square(), TestEngines.Run(engine));

        Assert.Equal(100_000, result.Report.Succeeded);
        Assert.InRange(result.Report.Batches, 2, 500);
    }

    [Fact]
    public void BatchSizer_GrowsTowardsTarget_CappedAndShrinksAtOnce()
    {
        var sizer = new BatchSizer(TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, sizer.Next);

        sizer.Observe(1, TimeSpan.FromMicroseconds(100));   // 100 µs per item: 100 would fit, growth caps at 8
        Assert.Equal(8, sizer.Next);
        sizer.Observe(8, TimeSpan.FromMicroseconds(160));   // 20 µs per item: 500 fit, cap 64
        Assert.Equal(64, sizer.Next);
        sizer.Observe(64, TimeSpan.FromMicroseconds(640));  // 10 µs per item: 1,000 fit, cap 512
        Assert.Equal(512, sizer.Next);
        sizer.Observe(512, TimeSpan.FromMilliseconds(2.56)); // 5 µs per item: 2,000 fit
        Assert.Equal(2_000, sizer.Next);
        sizer.Observe(2_000, TimeSpan.FromSeconds(2));      // 1 ms per item: 10 fit, shrink at once
        Assert.Equal(10, sizer.Next);
        sizer.Observe(10, TimeSpan.FromSeconds(10));        // 1 s per item: one at a time
        Assert.Equal(1, sizer.Next);
        sizer.Observe(65_536, TimeSpan.Zero);
        Assert.Equal(BatchSizer.MaxBatch, sizer.Next);
    }
}
