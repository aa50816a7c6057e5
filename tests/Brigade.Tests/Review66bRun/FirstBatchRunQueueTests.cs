using System.Diagnostics;
using Brigade.Internal;

namespace Brigade.Tests.Review66bRun;

/// <summary>
/// Review 66b: <c>printf '%s\n' 20 20 0 0 0 0 | brigade run - -e threads -j 2 -x "sleep {}"</c> at load 15 on 2 cores read
/// "37% of the ideal; lost to waiting for a core 99%" (25.6 s of a 20.7 s run's 41 s of worker time) for commands that only
/// slept; "0 0 0 0 20 20" read 2%. A worker's run-queue wait was first read at its first batch's end, and the wait the later,
/// short batches measured was scaled up to the worker's whole span, the 20 s first batch included, in which the worker's
/// thread was blocked and waited for no core.
/// </summary>
public sealed class FirstBatchRunQueueTests
{
    private static readonly TimeSpan Sleep = TimeSpan.FromSeconds(1.5);

    [Fact(Timeout = 120_000)]
    public async Task ALongSleepingFirstBatch_IsNotScaledUpFromTheShortBatchesAfterIt()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return; // no run-queue wait is measured off Linux
        }

        Assert.True(Engine.TryGetBuiltIn("threads", out var threads));
        var options = new RunOptions { Engine = threads, MaxDegreeOfParallelism = 1, BatchSize = 1 };

        // Threads that spin make the short items wait for a core (the machine's load in the review); the first item
        // sleeps, waiting for none.
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }) { IsBackground = true }).ToArray();
        foreach (var spinner in spinners)
        {
            spinner.Start();
        }

        RunResult<int> result;
        try
        {
            result = await Runner.MapAsync([0, 1, 2, 3, 4], (int i) =>
            {
                if (i == 0)
                {
                    Thread.Sleep(Sleep);
                    return i;
                }

                var clock = Stopwatch.StartNew();
                while (clock.ElapsedMilliseconds < 30)
                {
                    Thread.SpinWait(100);
                }

                return i;
            }, options).WaitAsync(TimeSpan.FromSeconds(100));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var spinner in spinners)
            {
                spinner.Join();
            }
        }

        var timing = Assert.Single(result.Report.Workers).Timing!.Value;
        var span = timing.LastEnd - timing.FirstStart;

        // The wait can only have been in the short items' batches (and the thread's wake-up after its sleep): at most the
        // span less most of the sleep. Scaled up from the short batches it came near the whole span.
        Assert.True(
            timing.RunQueueWait is not { } wait || wait <= span - Sleep * 0.9,
            $"run-queue wait {timing.RunQueueWait} over a span of {span}, {Sleep} of it asleep");
    }
}
