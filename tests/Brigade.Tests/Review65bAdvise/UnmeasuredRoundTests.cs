using Brigade.Auto;
using Brigade.Workloads;

namespace Brigade.Tests.Review65bAdvise;

// Review 65b: advise's first measured round of a user's work that allocates heavily (200 × 1 MB strings) ran 1.4 s against
// 0.01-1.1 s later (the process's heap still growing), and with 3 runs the median could land on it. With more than one run
// per configuration, advise now runs each configuration once unmeasured first (WorkloadComparison.RunAsync's
// unmeasuredRounds); its runs are kept out of every median and reported apart (auto's in --json autoUnmeasuredSeconds).
public sealed class UnmeasuredRoundTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task UnmeasuredRounds_RunEveryConfigurationFirst_AndStayOutOfTheMeasuredRuns(int unmeasured)
    {
        var runs = new List<(string Engine, TimeSpan Wall)>();
        var gate = new Lock();

        // One item of 12 ms a run: over WorkloadComparison.ShortRun, so the repetitions stay 3.
        var workload = new Workload("sleep", "1 × sleep 12 ms", WorkloadClass.Blocking, [new EngineChoice(Engine.Sequential, null)], 1,
            async (options, ct) =>
            {
                var result = await Runner.MapAsync([0], i => { Thread.Sleep(12); return i; }, options, ct).ConfigureAwait(false);
                lock (gate)
                {
                    runs.Add((options.Engine!.Name, result.Report.WallTime));
                }

                return result.Report;
            },
            _ => Task.CompletedTask);

        var comparison = await WorkloadComparison.RunAsync(workload, WorkloadComparison.CreateAutoEngine(), repetitions: 3, alternatives: 1, unmeasuredRounds: unmeasured)
            .WaitAsync(TimeSpan.FromSeconds(120));

        var auto = runs.Where(r => r.Engine == "auto").Select(r => r.Wall).ToList();
        var sequential = runs.Where(r => r.Engine == "sequential").Select(r => r.Wall).ToList();
        Assert.Equal(3 + unmeasured, auto.Count);
        Assert.Equal(3 + unmeasured, sequential.Count);
        Assert.Equal(auto.Take(unmeasured), comparison.AutoUnmeasured);
        Assert.Equal(auto.Skip(unmeasured), comparison.Auto.Walls);
        Assert.Equal(sequential.Skip(unmeasured), comparison.Alternatives[0].Walls);
    }
}
