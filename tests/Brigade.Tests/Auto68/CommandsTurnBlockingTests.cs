using System.Diagnostics;
using Brigade.Auto;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Auto68;

// auto68: `brigade run` with 10 × `echo` then 8 × `sleep 3` planned from the echoes (CPU-bound, ThreadPool ×2) and never
// re-planned: the monitor's check of running batches skipped work that reports its children's CPU (and asynchronous work),
// so the sleeps ran two at a time (12 s where ~3 s was the ideal). Items in flight whose children's clocks read waiting
// are waiting whatever their threads do: the check now reads them as the sample does.
[Collection(AutoCollection.Name)]
public sealed class CommandsTurnBlockingTests
{
    [Fact]
    public async Task CommandsThatTurnFromComputingToWaiting_AreReplanned_AndOverlap()
    {
        // 20 items whose "child" computes 10 ms (CPU-bound at the cores' width), then 8 whose child sleeps 2 s. At the cores'
        // width (2 here) the sleeps take 8 s and more; re-planned as waits they run at once (~2 s). The bound sits between.
        var cores = Environment.ProcessorCount;
        var trace = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        AutoTrace.Write = line => trace.Enqueue($"{clock.ElapsedMilliseconds,5} ms {line}");
        try
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 28).ToArray(), async (i, ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                if (i < 20)
                {
                    using (ExternalCpuTime.Track(new ElapsedCpuSource(() => Stopwatch.GetElapsedTime(started))))
                    {
                        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(10))
                        {
                            Thread.SpinWait(100);
                        }
                    }

                    ExternalCpuTime.Add(Stopwatch.GetElapsedTime(started));
                    await Task.Yield();
                    return i;
                }

                using (ExternalCpuTime.Track(new ElapsedCpuSource(() => TimeSpan.FromMilliseconds(1))))
                {
                    await Task.Delay(2_000, ct);
                }

                ExternalCpuTime.Add(TimeSpan.FromMilliseconds(1));
                return i;
            }, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, ReportsExternalCpu = true }) })
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(Enumerable.Range(0, 28), result.Values);
            var ideal = 8.0 / Math.Max(1, Math.Min(cores, 8)) * 2.0;
            Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(Math.Max(5, ideal * 0.75 + 1)),
                $"{result.Report.WallTime.TotalSeconds:0.00} s on {cores} cores; {string.Join(" | ", result.Report.Plans.Select(p => p.ToString()))}; {result.Report.Plan}\n{string.Join("\n", trace.Where(l => !l.Contains(" window WorkSample")).TakeLast(15))}");
        }
        finally
        {
            AutoTrace.Write = null;
        }
    }

    private sealed class ElapsedCpuSource(Func<TimeSpan> cpu) : IExternalCpuSource
    {
        public bool TryRead(out ExternalCpuReading reading)
        {
            reading = new ExternalCpuReading(cpu(), TimeSpan.Zero, Runnable: false);
            return true;
        }
    }
}
