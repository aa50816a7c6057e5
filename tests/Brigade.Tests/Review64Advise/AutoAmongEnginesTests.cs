using Brigade.Auto;

namespace Brigade.Tests.Review64Advise;

// Review 64: `brigade advise --engines threads,processes` measured auto mode's plan on whatever engine it chose (async,
// sequential): the user had ruled those out, and auto's time was of a configuration they cannot ship. Auto mode now takes
// the engines a plan may run on (AutoEngineOptions.Engines, internal: advise's) and runs a plan for another on a stand-in,
// saying so in its line.
public sealed class AutoAmongEnginesTests
{
    [Fact]
    public async Task AsynchronousWaits_WithOnlyThreadsAllowed_RunOnThreads_AndThePlanSaysWhy()
    {
        // Waits of 5 ms in async code: auto plans async concurrency, which this list leaves out.
        var auto = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, Engines = ["threads"] });
        var result = await Runner.MapAsync(Enumerable.Range(0, 200).ToArray(), async (i, ct) => { await Task.Delay(5, ct).ConfigureAwait(false); return i; },
            new RunOptions { Engine = auto }).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(200, result.Count);
        Assert.NotEmpty(result.Report.Plans);
        Assert.All(result.Report.Plans, p => Assert.Equal("threads", p.Engine));
        Assert.StartsWith("Threads ×", result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyWork_WithOnlyTheThreadPoolAllowed_RunsOnOnePoolWorker_NotSequentially()
    {
        var auto = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, Engines = ["threadpool"] });
        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), i => i * i, new RunOptions { Engine = auto }).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), result.Values.Order());
        Assert.All(result.Report.Plans, p => Assert.Equal("threadpool", p.Engine));
    }

    [Theory]
    [InlineData("async", new[] { "threads" }, "threads", "Thread", 64)]
    [InlineData("async", new[] { "threadpool", "sequential" }, "threadpool", "Task", 64)]
    [InlineData("sequential", new[] { "threads" }, "threads", "Thread", 1)]
    [InlineData("threadpool", new[] { "sequential" }, "sequential", "Task", 1)]
    [InlineData("threads", new[] { "async" }, "async", "Task", 64)]
    public void APlanOnAnEngineLeftOut_RunsOnTheFirstAllowedStandIn_AtTheSameWidth_SayingSo(string planned, string[] allowed, string engine, string kind, int width)
    {
        var context = new PlanContext { Cores = 2, Options = new AutoEngineOptions { Engines = allowed } };
        var head = planned == "sequential" ? "Sequential" : "X ×64, batch 1";
        var decision = new PlanDecision(WorkloadClass.Blocking, planned == "threads" ? LoopKind.Thread : LoopKind.Task, planned, planned == "sequential" ? 1 : 64, 1,
            TimeSpan.FromMilliseconds(10), $"{head} — the reason", default, WorkloadClass.Blocking);

        var among = AutoPlanner.Among(decision, context);

        Assert.Equal(engine, among.Engine);
        Assert.Equal(kind, among.Kind.ToString());
        Assert.Equal(width, among.Width);
        Assert.Contains($"×{width}, batch 1 — {planned} is not among the engines allowed ({string.Join(", ", allowed)}): the reason", among.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void APlanOnAnAllowedEngine_OrWithNoList_IsUnchanged()
    {
        var decision = new PlanDecision(WorkloadClass.CpuBound, LoopKind.Task, "threadpool", 2, 4, TimeSpan.FromMilliseconds(10), "ThreadPool ×2, batch 4 — why", default, WorkloadClass.CpuBound);

        Assert.Same(decision, AutoPlanner.Among(decision, new PlanContext { Cores = 2, Options = new AutoEngineOptions { Engines = ["threadpool", "threads"] } }));
        Assert.Same(decision, AutoPlanner.Among(decision, new PlanContext { Cores = 2, Options = new AutoEngineOptions() }));
    }
}
