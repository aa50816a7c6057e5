using System.Diagnostics;
using Brigade.Processes;
using Brigade.Samples.WorkTypes;
using Xunit.Abstractions;

namespace Brigade.Cli.Tests.FaultInjection;

/// <summary>
/// 10,000 items streamed in input order through every engine, with a reader that pauses: every result arrives once,
/// in order, and the run never reads far ahead of the reader (bounded memory). Regression: the process engine stalled
/// for good after 1-2 thousand results with StreamCapacity 1,024. 10,000 is five times that and over three times the
/// read-ahead bound (100,000 until review 65, ten times the CPU for the same checks).
/// </summary>
[Collection(nameof(FaultInjectionCollection))]
[Trait("Category", "FaultInjection")]
public sealed class OrderedStreamEveryEngineTests(ITestOutputHelper output)
{
    private const int Items = 10_000;

    // The reader pauses five times in a run, as it did every 20,000 of 100,000 items.
    private const int PauseEvery = Items / 5;
    private const int Capacity = 1024;
    private const int Workers = 4;
    private const int BatchSize = 64;

    // Results waiting in the channel and in the reorder buffer (a capacity each), a batch per worker waiting to be
    // admitted, and what the engine has in flight (worker processes keep two batches each): with room to spare.
    private const int MaxReadAhead = (2 * Capacity) + (Workers * BatchSize * 4);

    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async", "auto", "processes"];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Engines))]
    public async Task StreamAsync_PreserveOrder_10kItems_AllInOrder_ReadAheadBounded(string name)
    {
        await using var processes = name == "processes" ? new ProcessEngine(new ProcessEngineOptions { MaxWorkers = Workers, ForwardWorkerOutput = false }) : null;
        var engine = processes ?? (Engine.TryGetBuiltIn(name, out var e) ? e : throw new ArgumentException(name));
        var options = new RunOptions { Engine = engine, PreserveOrder = true, StreamCapacity = Capacity, MaxDegreeOfParallelism = Workers, BatchSize = BatchSize };

        long produced = 0;
        IEnumerable<long> Source()
        {
            for (long i = 0; i < Items; i++)
            {
                Interlocked.Increment(ref produced);
                yield return i;
            }
        }

        // Every 997th item is slow, so later ones finish first and wait for it (worker processes finish out of order anyway).
        var stream = processes is not null
            ? Runner.StreamAsync(Source(), new SquareWork(), options)
            : Runner.StreamAsync(Source(), x =>
            {
                if (x % 997 == 0)
                {
                    Thread.Sleep(1);
                }

                return x * x;
            }, options);

        long next = 0, maxAhead = 0;
        var clock = Stopwatch.StartNew();
        await foreach (var r in stream)
        {
            Assert.True(r.IsSuccess, r.IsSuccess ? "" : r.Exception.ToString());
            Assert.Equal(next, r.Index);
            Assert.Equal(next * next, r.Value);
            next++;
            maxAhead = Math.Max(maxAhead, Volatile.Read(ref produced) - next);
            if (next % PauseEvery == 0)
            {
                // A reader that falls behind: the run must wait for it rather than read the input ahead.
                await Task.Delay(50);
                maxAhead = Math.Max(maxAhead, Volatile.Read(ref produced) - next);
            }
        }

        output.WriteLine($"{name}: {Items:N0} items in order in {clock.Elapsed.TotalSeconds:0.00} s (reader paused 5 × 50 ms), at most {maxAhead:N0} read ahead of the reader");
        Assert.Equal(Items, next);
        Assert.Equal(Items, stream.Report!.Succeeded);
        Assert.True(maxAhead <= MaxReadAhead, $"{name}: read {maxAhead:N0} items ahead of the reader (bound {MaxReadAhead:N0})");
    }
}
