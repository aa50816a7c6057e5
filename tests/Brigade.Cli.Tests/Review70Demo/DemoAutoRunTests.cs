using System.Reflection;
using System.Text.Json;
using Brigade.Auto;
using Brigade.Cli.Demo;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Run;
using Brigade.Reporting;

namespace Brigade.Cli.Tests.Review70Demo;

// Review 70 (fresh70): README says `plan` and `class` are on "runs with engine `auto`", but the commands scene's two auto
// runs had neither: only the auto-mode scene added them, by copying its record field by field. DemoContext.Record now sets
// them for every auto run. And the commands scene's 16 sleeps on auto's 64 lanes read "why not faster: ... imbalance 91%
// ... use fewer workers", where `brigade run` says nothing for fewer items than workers (docs/run.md): the demo now asks
// run's rule (BatchJob.HasItemsForEveryWorker). These tests build records from made-up reports: no run, no timing.
public sealed class DemoAutoRunTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(0.86);
    private static readonly TimeSpan Sleep = TimeSpan.FromSeconds(0.5);

    [Fact]
    public void Record_AnyAutoRun_CarriesItsLastPlansLine_AndClass()
    {
        var report = Report("auto", width: 64, items: 16, plans: [Plan(WorkloadClass.CpuBound, "first"), Plan(WorkloadClass.Blocking, "Threads ×64, batch 1 — pure waits")]);

        var record = Context().Record(report, efficiencyWidth: 16, label: "auto, 16 × sleep 0.5");

        Assert.Equal("Threads ×64, batch 1 — pure waits", record.Plan);
        Assert.Equal("blocking", record.Class);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, DemoJsonContext.Default.RunRecord));
        Assert.Equal("Threads ×64, batch 1 — pure waits", json.RootElement.GetProperty("plan").GetString());
        Assert.Equal("blocking", json.RootElement.GetProperty("class").GetString());
        Assert.Equal("auto, 16 × sleep 0.5", json.RootElement.GetProperty("label").GetString());
    }

    [Fact]
    public void Record_OtherEngines_HaveNoPlanOrClass()
    {
        var record = Context().Record(Report("threads", width: 16, items: 16, plans: []));

        Assert.Null(record.Plan);
        Assert.Null(record.Class);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, DemoJsonContext.Default.RunRecord));
        Assert.False(json.RootElement.TryGetProperty("plan", out _));
        Assert.False(json.RootElement.TryGetProperty("class", out _));
    }

    [Fact]
    public void ExplainLosses_FewerItemsThanWorkers_SaysNothing_AsBrigadeRunDoes()
    {
        // 16 sleeps on auto's 64 lanes: 48 lanes never had an item. The library's losses call that imbalance ("use fewer
        // workers"); brigade run's summary gives no "why not faster" line for it, and the demo now says the same.
        var report = Report("auto", width: 64, items: 16, plans: [Plan(WorkloadClass.Blocking, "Threads ×64")]);
        Assert.Contains(report.Losses.Causes, c => c.Cause == LossCause.Imbalance);
        Assert.False(BatchJob.ShowsWhyNotFaster(report.Items, report.DegreeOfParallelism, report.Failed, report.WallTime, report.Losses.Gap, report.Losses.Ideal));
        var context = Context();
        var scene = new SceneResult { Id = "commands", Title = "t", Conclusion = "c." };
        scene.Runs.Add(context.Record(report, efficiencyWidth: 16));

        context.ExplainLosses(scene, 0);

        Assert.Null(scene.WhyNotFaster);
        Assert.Equal("c.", scene.Conclusion);
    }

    [Fact]
    public void ExplainLosses_FewerItemsThanWorkers_ExplainsTheScenesOtherRun()
    {
        // Beside it, a run with an item for every worker that lost as much keeps its explanation.
        var context = Context();
        var scene = new SceneResult { Id = "commands", Title = "t", Conclusion = "c." };
        scene.Runs.Add(context.Record(Report("auto", width: 64, items: 16, plans: [Plan(WorkloadClass.Blocking, "Threads ×64")], label: "too few")));
        var full = Report("threads", width: 16, items: 16, plans: [], label: "one each", slow: true);
        Assert.True(BatchJob.ShowsWhyNotFaster(full.Items, full.DegreeOfParallelism, full.Failed, full.WallTime, full.Losses.Gap, full.Losses.Ideal));
        scene.Runs.Add(context.Record(full));

        context.ExplainLosses(scene, 0);

        Assert.NotNull(scene.WhyNotFaster);
        Assert.StartsWith("one each (threads ×16): ", scene.WhyNotFaster, StringComparison.Ordinal);
        Assert.DoesNotContain("too few", scene.WhyNotFaster, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(16, 64, false)]
    [InlineData(63, 64, false)]
    [InlineData(64, 64, true)]
    [InlineData(1000, 2, true)]
    public void HasItemsForEveryWorker_IsRunsRule(long items, int workers, bool has)
    {
        Assert.Equal(has, BatchJob.HasItemsForEveryWorker(items, workers));
        Assert.Equal(has, BatchJob.ShowsWhyNotFaster(items, workers, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
    }

    private static DemoContext Context() => new(quick: true, json: true, Spectre.Console.AnsiConsole.Console);

    private static AutoPlan Plan(WorkloadClass cls, string explanation)
    {
        var plan = (AutoPlan)Activator.CreateInstance(typeof(AutoPlan), nonPublic: true)!;
        typeof(AutoPlan).GetProperty(nameof(AutoPlan.Class))!.SetValue(plan, cls);
        typeof(AutoPlan).GetProperty(nameof(AutoPlan.Engine))!.SetValue(plan, "threads");
        typeof(AutoPlan).GetProperty(nameof(AutoPlan.Explanation))!.SetValue(plan, explanation);
        return plan;
    }

    // A report as a run of `items` sleeps of 0.5 s, one per worker, on `width` lanes leaves it (with `slow`, the last item
    // ran 0.3 s longer than the others, which idled beside it); RunReport and the worker timings have internal
    // constructors, so reflection sets what the run would have.
    private static RunReport Report(string engine, int width, long items, AutoPlan[] plans, string? label = null, bool slow = false)
    {
        var report = (RunReport)Activator.CreateInstance(typeof(RunReport), nonPublic: true)!;
        var timingType = typeof(RunReport).Assembly.GetType("Brigade.Reporting.WorkerTiming", throwOnError: true)!;
        WorkerReport Worker(int id)
        {
            var busy = slow && id == items - 1 ? Sleep + TimeSpan.FromSeconds(0.3) : Sleep;
            var start = TimeSpan.FromMilliseconds(20);
            var timing = Activator.CreateInstance(timingType, start, start, start + busy, (long)id, 1, (TimeSpan?)TimeSpan.Zero, TimeSpan.Zero);
            var worker = new WorkerReport(id, $"worker-{id}", null, 1, 1, 0, busy, TimeSpan.FromMilliseconds(1));
            typeof(WorkerReport).GetProperty("Timing", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(worker, timing);
            return worker;
        }

        var workers = Enumerable.Range(0, (int)items).Select(Worker).ToList();
        var wall = slow ? TimeSpan.FromSeconds(0.84) : Wall;
        Set(report, nameof(RunReport.Engine), engine);
        Set(report, nameof(RunReport.Label), label ?? "brigade run exec:sleep {}");
        Set(report, nameof(RunReport.DegreeOfParallelism), width);
        Set(report, nameof(RunReport.Items), items);
        Set(report, nameof(RunReport.Batches), items);
        Set(report, nameof(RunReport.WallTime), wall);
        Set(report, nameof(RunReport.BusyTime), TimeSpan.FromTicks(workers.Sum(w => w.BusyTime.Ticks)));
        Set(report, nameof(RunReport.ProcessCpuTime), TimeSpan.FromMilliseconds(items));
        Set(report, nameof(RunReport.WorkerCpuTime), (TimeSpan?)TimeSpan.FromMilliseconds(items));
        Set(report, nameof(RunReport.Workers), (IReadOnlyList<WorkerReport>)workers);
        Set(report, nameof(RunReport.Plans), (IReadOnlyList<AutoPlan>)plans);
        if (plans.Length > 0)
        {
            Set(report, nameof(RunReport.Plan), plans[^1].Explanation);
        }

        return report;
    }

    private static void Set(RunReport report, string property, object? value) =>
        typeof(RunReport).GetProperty(property, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.SetValue(report, value);
}
