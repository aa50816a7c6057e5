using System.Runtime.CompilerServices;
using Brigade.Internal;
using Brigade.Reporting;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Reporting;

/// <summary>
/// run54: what <see cref="RunReport.Losses"/> said of runs on dedicated threads. Their workers take batches with a blocking
/// take, which was not timed: a slow asynchronous input read as dispatch cost ("items are small for their dispatch cost"),
/// where the asynchronous engines said "the input is slower than the work" (review 45). And two workers that ran one
/// after another were "1 worker of the width never ran batches".
/// </summary>
public sealed class ThreadsInputLossTests
{
    private static async IAsyncEnumerable<int> Slow(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(3, cancellationToken);
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> Ready(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task ASlowAsyncInput_OnDedicatedThreads_IsNamed_NotTheDispatchCost()
    {
        // Failed before: no take of the threads engine was timed; the overhead read "items are small for their dispatch cost".
        // A measured figure (at load 75 one run in a few read its waits as waits for a core): up to three tries.
        await Measured.UpToThreeTimesAsync(async _ =>
        {
            var result = await Runner.MapAsync(Slow(40), i => i + 1, new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 2 });

            var losses = result.Report.Losses;
            var all = string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalMilliseconds:0.0} ms: {c.Description}")) + $" | input waits {result.Report.Counters.InputWaitTicks / 1e4:0.0} ms";
            var overhead = Assert.Single(losses.Causes, c => c.Cause == LossCause.Overhead);
            Assert.True(overhead.Description.Contains("waiting for the input's next items", StringComparison.Ordinal), all);
            Assert.True(overhead.Advice?.Contains("the input is slower than the work", StringComparison.Ordinal) == true, all);
        });
    }

    [Fact]
    public async Task AnInputThatIsThere_OnADedicatedThread_IsNotBlamed()
    {
        // A take that finds its items, or reads them on its own thread from a producer that has them, does not block: not
        // the input's wait (timed whole, such takes were 82 ms of 119 between batches: "the input is slower than the work").
        // One worker: with two, one waits while the other reads the producer, a wait for the input, as on Engine.Async.
        var result = await Runner.MapAsync(Ready(20_000), i => i + 1, new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 1 });

        Assert.All(result.Report.Losses.Causes, c => Assert.DoesNotContain("the input is slower", c.Advice ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoWorkersThatRanInTurn_AreNotAWorkerThatNeverRan()
    {
        // Worker 0 ran 0-4 ms, worker 1 5-9 ms, of a width of 2: one slot of the width unused, but both workers ran.
        // Failed before: "1 worker of the width never ran batches".
        var report = new RunReport
        {
            Engine = "threads",
            DegreeOfParallelism = 2,
            Items = 2_000,
            Succeeded = 2_000,
            WallTime = Ms(10),
            Workers = [Worker(0, 0, 4), Worker(1, 5, 9)],
            Counters = new LossProbe(0, 0, 0),
        };

        var startUp = Assert.Single(report.Losses.Causes, c => c.Cause == LossCause.StartUp);
        Assert.Contains("2 workers ran, at most 1 at once: 1 worker of the width never ran beside them", startUp.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("never ran batches", startUp.Description, StringComparison.Ordinal);
    }

    private static WorkerReport Worker(int id, double firstMs, double lastEndMs) =>
        new(id, $"thread {id}", null, 10, 1_000, 0, Ms(lastEndMs - firstMs), null)
        {
            Timing = new WorkerTiming(Ms(firstMs), Ms(lastEndMs - 0.5), Ms(lastEndMs), (id * 1_000) + 990, 10, null, TimeSpan.Zero),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
