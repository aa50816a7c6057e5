using System.Diagnostics;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

public sealed class ConsistentOrderStressTests
{
    [Fact]
    public async Task AMillionRandomAcquisitions_InOneGlobalOrder_AcrossThreads_ProduceNoReport()
    {
        const int Threads = 4;
        const int PerThread = 250_000;
        const int LockCount = 24;
        var diagnostics = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Throw };
        var locks = Enumerable.Range(0, LockCount).Select(i => new DetectingLock(new LockOptions { Name = $"L{i}", Diagnostics = diagnostics })).ToArray();
        var counters = new long[LockCount];
        var taken = new long[Threads][];
        var watch = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, Threads).Select(t => TestThreads.Run($"stress-{t}", () =>
        {
            var random = new Random(t);
            var mine = taken[t] = new long[LockCount];
            var picked = new int[3];
            var scopes = new LockScope[3];
            var acquisitions = 0;
            while (acquisitions < PerThread)
            {
                // One to three distinct locks, always taken in ascending index order: a consistent global order.
                var k = Math.Min(random.Next(1, 4), PerThread - acquisitions);
                for (var i = 0; i < k; i++)
                {
                    int candidate;
                    do
                    {
                        candidate = random.Next(LockCount);
                    }
                    while (Array.IndexOf(picked, candidate, 0, i) >= 0);
                    picked[i] = candidate;
                }

                Array.Sort(picked, 0, k);
                for (var i = 0; i < k; i++)
                {
                    scopes[i] = locks[picked[i]].Acquire();
                    counters[picked[i]]++;   // plain increments: only correct if the locks exclude each other
                    mine[picked[i]]++;
                }

                for (var i = k - 1; i >= 0; i--)
                {
                    scopes[i].Dispose();
                }

                acquisitions += k;
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(diagnostics.Reports);
        var expected = Enumerable.Range(0, LockCount).Select(l => taken.Sum(perThread => perThread[l])).ToArray();
        Assert.Equal(Threads * (long)PerThread, expected.Sum());
        Assert.Equal(expected, counters);
        Assert.All(locks, l => Assert.False(l.IsHeld));
        Assert.True(diagnostics.OrderGraph.EdgeCount > 0);
        Console.WriteLine($"1,000,000 acquisitions on {Threads} threads in {watch.Elapsed.TotalSeconds:0.00} s");
    }
}
