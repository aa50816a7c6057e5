using Brigade.Workloads;

namespace Brigade.Tests.Auto;

/// <summary>Starts the reference workload suite (and its local Kestrel server on 127.0.0.1, port 0) once for the class.</summary>
public sealed class WorkloadSuiteFixture : IAsyncLifetime
{
    internal WorkloadSuite Suite { get; private set; } = null!;

    public async Task InitializeAsync() => Suite = await WorkloadSuite.StartAsync(WorkloadScale.Test);

    public async Task DisposeAsync() => await Suite.DisposeAsync();
}

/// <summary>
/// Auto mode measures the labelled class of every reference workload, on this machine as it is (shared, busy) and
/// with extra CPU load we add ourselves. Thresholds leave margins: a CPU-bound item measures ~0.9-1.0 against a
/// 0.75 threshold, a blocking one under 0.05 against 0.35.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class WorkloadClassificationTests(WorkloadSuiteFixture fixture) : IClassFixture<WorkloadSuiteFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Ids => [.. WorkloadSuite.Ids.Except(WorkloadSuite.MachineDependentIds)];

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Auto_MeasuresTheLabelledClass(string id)
    {
        var workload = fixture.Suite.Get(id);
        await workload.WarmUpAsync().WaitAsync(Bound);

        var report = await workload.RunAsync(new RunOptions { Engine = WorkloadComparison.CreateAutoEngine() }).WaitAsync(Bound);

        AssertClass(workload, report);
    }

    [Theory]
    [InlineData("cpu-loop")]
    [InlineData("blocking-sleep")]
    [InlineData("async-delay")]
    [InlineData("mixed")]
    public async Task Auto_MeasuresTheLabelledClass_WhileOtherThreadsCompeteForEveryCore(string id)
    {
        var workload = fixture.Suite.Get(id);
        await workload.WarmUpAsync().WaitAsync(Bound);
        using var load = new CpuLoad(Environment.ProcessorCount);

        var report = await workload.RunAsync(new RunOptions { Engine = WorkloadComparison.CreateAutoEngine() }).WaitAsync(Bound);

        AssertClass(workload, report);
    }

    private static void AssertClass(Workload workload, RunReport report)
    {
        Assert.True(report.IsSuccess, $"{report.Failed} failed, {report.NotRun} not run");
        Assert.Equal(workload.Items, report.Items);
        Assert.NotEmpty(report.Plans);
        var plans = string.Join(" | ", report.Plans.Select(p => p.Explanation));
        Assert.True(workload.ExpectedClass == report.Plans[^1].Class, $"{workload.Id}: expected {workload.ExpectedClass}, plans: {plans}");
        if (workload.ExpectedFirstClass is { } first)
        {
            Assert.True(report.Plans.Count >= 2 && report.Plans[0].Class == first, $"{workload.Id}: expected a re-plan from {first}, plans: {plans}");
            Assert.Contains("re-planned", report.Plan, StringComparison.Ordinal);
        }
    }

    /// <summary>Busy threads at normal priority, one per core, competing with the workload until disposed.</summary>
    private sealed class CpuLoad : IDisposable
    {
        private readonly Thread[] _threads;
        private volatile bool _stop;

        public CpuLoad(int threads)
        {
            _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Spin) { IsBackground = true, Name = $"test-load-{i}" })];
            foreach (var t in _threads)
            {
                t.Start();
            }
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var t in _threads)
            {
                t.Join();
            }
        }

        private void Spin()
        {
            var h = 1u;
            while (!_stop)
            {
                for (var i = 0; i < 100_000; i++)
                {
                    h = (h ^ (h >> 15)) * 0x2c1b3c6dU;
                }
            }

            GC.KeepAlive(h);
        }
    }
}
