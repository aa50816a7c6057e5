using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance.Cases;

/// <summary>Cancellation stops new items from starting, waits for the running ones, then throws; no worker outlives the call.</summary>
internal static class CancellationCases
{
    private const string Area = "Cancellation";

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "CancelledMidRun_NoItemStartsAfterCancel_ThrowsOnlyAfterRunningItemsFinish", "Cancelled while each worker runs an item: no further item starts, the call throws only once the running items finished, and no worker is left.", CancelledMidRunAsync),
        new(Area, "Map_TokenAlreadyCancelled_ThrowsWithoutReadingInput", "A token cancelled before the call: the run throws without reading the input.", AlreadyCancelledAsync),
        new(Area, "Stream_ReaderBreaksEarly_RunStopsAndNoWorkerOutlivesLoop", "A stream's reader that leaves early stops the run; no worker outlives the reading loop and the report adds up.", ReaderBreaksAsync),
        new(Area, "Stream_ReaderTokenCancelled_ThrowsAndNoWorkerOutlivesLoop", "A stream read with a token that trips throws, and no worker outlives the reading loop.", ReaderCancelledAsync),
    ];

    private static async Task CancelledMidRunAsync(CaseContext c)
    {
        var operations = c.RunsDelegates ? new[] { "map", "foreach", "mapreduce" } : ["map", "mapreduce"];
        foreach (var operation in operations)
        {
            foreach (var (asyncWork, batchSize) in new[] { (false, 1), (true, 1), (false, 4), (true, 4) })
            {
                c.Variant = $"{operation}, {(asyncWork ? "async" : "sync")} work, batch {batchSize}";
                await CancelledMidRunAsync(c, operation, asyncWork, batchSize).ConfigureAwait(false);
            }
        }
    }

    // With batches of 4, each worker is cancelled in the middle of its batch: the rest of the batch must not start.
    private static async Task CancelledMidRunAsync(CaseContext c, string operation, bool asyncWork, int batchSize)
    {
        var width = c.Width;
        using var gate = c.NewGate();
        using var cts = new CancellationTokenSource();

        // Each worker's first item (0, batch, 2 × batch, ...) waits on the gate; item 0 longest.
        var items = CaseContext.Items(1000, i => i.Value % batchSize == 0 && i.Value / batchSize < width
            ? i with { Gate = gate.Key, Hold = ConformanceHold.UntilReleased }
            : i with { Gate = gate.Key });
        var options = c.Options(width, batchSize);
        Task run = operation switch
        {
            "map" => CaseContext.MapAsync(Shape.Array, items, asyncWork, options, cts.Token),
            "foreach" => CaseContext.ForEachAsync(Shape.Array, items, asyncWork, x => new Transform().Execute(x), options, cts.Token),
            _ => CaseContext.MapReduceSumAsync(Shape.Array, items, asyncWork, options, cts.Token),
        };

        await gate.WaitStartedAsync(width, CaseContext.Bound).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        for (var w = 1; w < width; w++)
        {
            gate.Release(w * batchSize);
        }

        await gate.WaitFinishedAsync(width - 1, CaseContext.Bound).ConfigureAwait(false);

        // Item 0 is still running, so the call must not have returned. (A short look: it cannot fail a correct run.)
        await Task.Delay(50).ConfigureAwait(false);
        c.True(!run.IsCompleted, "the call returned while item 0 was still running");
        gate.Release(0);

        var ex = await c.ThrowsAsync<OperationCanceledException>(() => run, "the cancelled call").ConfigureAwait(false);
        var startedWhenThrown = gate.Started;
        var runningWhenThrown = gate.Running;
        c.Equal(cts.Token, ex.CancellationToken, "the exception's token");
        if (c.InProcess)
        {
            c.Equal(width, startedWhenThrown, "items started");
        }
        else
        {
            // Across a boundary an item already sent may start before the cancellation arrives.
            c.InRange(startedWhenThrown, width, width * Math.Max(2, batchSize) * 2, "items started");
        }

        c.NoWorkerLeft(runningAtExit: runningWhenThrown);
        await Task.Delay(50).ConfigureAwait(false);
        c.Equal(startedWhenThrown, gate.Started, "items started after the call returned");
    }

    private static async Task AlreadyCancelledAsync(CaseContext c)
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync().ConfigureAwait(false);
        var read = false;
        IEnumerable<ConformanceItem> Input()
        {
            read = true;
            yield return new ConformanceItem(1);
        }

        await c.ThrowsAsync<OperationCanceledException>(() => Runner.MapAsync(Input(), new Transform(), c.Options(), cts.Token), "the call").ConfigureAwait(false);
        c.True(!read, "the input was read");
        c.NoWorkerLeft();
    }

    private static async Task ReaderBreaksAsync(CaseContext c)
    {
        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";
            using var tally = c.TallyGate();
            var items = CaseContext.Items(100_000, i => i with { Gate = tally?.Key, Spin = 50 });
            var options = c.Options();
            options.StreamCapacity = 8;
            var stream = CaseContext.StreamAsync(Shape.Array, items, asyncWork, options);
            var read = 0;
            async Task ReadSomeAsync()
            {
                await foreach (var _ in stream.ConfigureAwait(false))
                {
                    if (++read == 20)
                    {
                        break;
                    }
                }
            }

            await CaseContext.Bounded(ReadSomeAsync()).ConfigureAwait(false);
            var runningAtExit = tally?.Running;
            var startedAtExit = tally?.Started;

            // The report is set only once the run has completed, that is once every worker has exited.
            var report = stream.Report;
            c.True(report is not null, "the report is there when the reading loop has left");
            c.NoWorkerLeft(runningAtExit: runningAtExit);
            c.True(report!.NotRun > 0, "the run stopped before the end of the input");
            c.Equal((long)items.Length, report.Items, "report's items");
            c.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun, "succeeded + failed + not run = items");
            c.Equal((long)read, report.Succeeded + report.Failed, "succeeded + failed = results the reader received");
            c.True(report.Abandoned, "the report says its reader left");
            if (tally is not null)
            {
                c.Equal((long)startedAtExit!.Value, report.Succeeded + report.Failed + report.Undelivered, "items started = items finished");
                await Task.Delay(50).ConfigureAwait(false);
                c.Equal(startedAtExit.Value, tally.Started, "items started after the loop left");
            }
        }
    }

    private static async Task ReaderCancelledAsync(CaseContext c)
    {
        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";
            using var tally = c.TallyGate();
            var items = CaseContext.Items(100_000, i => i with { Gate = tally?.Key, Spin = 50 });
            var options = c.Options();
            options.StreamCapacity = 8;
            var stream = CaseContext.StreamAsync(Shape.Array, items, asyncWork, options);
            using var cts = new CancellationTokenSource();
            var read = 0;
            async Task ReadUntilCancelledAsync()
            {
                await foreach (var _ in stream.WithCancellation(cts.Token).ConfigureAwait(false))
                {
                    if (++read == 20)
                    {
                        await cts.CancelAsync().ConfigureAwait(false);
                    }
                }
            }

            await c.ThrowsAsync<OperationCanceledException>(ReadUntilCancelledAsync, "the reading loop").ConfigureAwait(false);
            c.NoWorkerLeft(tally);
            var report = stream.Report;
            c.True(report is not null, "the report is there when the reading loop has left");
            c.Equal((long)read, report!.Succeeded + report.Failed, "succeeded + failed = results the reader received");
            c.True(report.Cancelled && !report.Abandoned, "the report says its reader cancelled it");
        }
    }

}
