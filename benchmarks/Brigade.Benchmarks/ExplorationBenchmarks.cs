using BenchmarkDotNet.Attributes;
using Brigade.Synchronization;
using Brigade.Testing;

namespace Brigade.Benchmarks;

/// <summary>
/// Exploration speed: 100 schedules of a small correct test (two flows, each adding to a counter twice under a
/// <see cref="DetectingLock"/>, joined, then checked), with the race detector on. Divide 100 by the time for schedules
/// per second.
/// </summary>
public class ExplorationBenchmarks
{
    private const int Schedules = 100;

    [Params(ExplorationStrategy.Random, ExplorationStrategy.Pct)]
    public ExplorationStrategy Strategy { get; set; }

    [Benchmark(OperationsPerInvoke = Schedules, Description = "one schedule (2 flows, 4 locked increments)")]
    public int Explore()
    {
        var result = Explorer.Explore(
            static context =>
            {
                var gate = new DetectingLock("gate");
                var counter = new Shared<int>("counter");
                void Add()
                {
                    for (var i = 0; i < 2; i++)
                    {
                        using (gate.Acquire())
                        {
                            counter.Write(counter.Read() + 1);
                        }
                    }
                }

                var a = context.Spawn(Add, "a");
                var b = context.Spawn(Add, "b");
                a.Join();
                b.Join();
                ExplorationContext.Assert(counter.Read() == 4, "no update lost");
            },
            new ExplorationOptions { Strategy = Strategy, Schedules = Schedules, Seed = 1 });
        return result.BugFound ? throw new InvalidOperationException(result.ToString()) : result.SchedulesExplored;
    }
}
