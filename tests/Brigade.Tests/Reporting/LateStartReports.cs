using Brigade.Auto;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Reporting;

/// <summary>
/// Made-up reports of a 200 ms run whose two workers ran their first batch 150 ms in: start-up is most of the gap. The
/// start-up advice's tests build on them (<see cref="StartUpAdviceTests"/>, Review47's reuse advice).
/// </summary>
internal static class LateStartReports
{
    /// <summary>A report of <paramref name="engine"/>'s run; remote workers are named by a pid, as worker processes are.</summary>
    public static RunReport Build(string engine, bool remoteWorkers, params AutoPlan[] plans) => new()
    {
        Engine = engine,
        DegreeOfParallelism = 2,
        Items = 100,
        Succeeded = 100,
        WallTime = Ms(200),
        WorkerCpuTime = Ms(100),
        ProcessCpuTime = Ms(100),
        Workers = [Worker(0, remoteWorkers), Worker(1, remoteWorkers)],
        Counters = new LossProbe(0, 0, 0),
        Plans = plans,
    };

    private static WorkerReport Worker(int id, bool remote) =>
        new(id, $"w{id}", remote ? $"pid {100 + id}" : null, 5, 50, 0, Ms(50), null)
        {
            Timing = new WorkerTiming(Ms(150), Ms(190), Ms(200), 45, 5, TimeSpan.Zero, TimeSpan.Zero),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
