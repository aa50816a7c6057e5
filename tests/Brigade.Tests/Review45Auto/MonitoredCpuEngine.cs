using Brigade.Auto;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Review45Auto;

/// <summary>Applies a first plan to an auto run's controller (2 cores), then shows a monitor of that run the given windows,
/// one a tick (a window is judged every second tick); the items wait until then, so no worker ticks meanwhile. Records
/// the pool's width after each tick and the plans applied.</summary>
internal sealed class MonitoredCpuEngine(Func<PlanContext, PlanDecision> firstPlan, WorkSample[] windows) : HeldItemsEngine("monitored-cpu")
{
    public List<int> Widths { get; } = [];

    public IReadOnlyList<AutoPlan> Plans { get; private set; } = [];

    protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        var options = new AutoEngineOptions { UsePlanCache = false };
        var inspector = new BatchInspector(options.TimeProvider, asyncWork: false, reportsExternalCpu: false);
        var controller = new AutoController<TIn, TOut>(job, options, inspector, cores: 2);
        var monitor = new AutoMonitor<TIn, TOut>(controller, controller.Pool, inspector, job, options);
        try
        {
            controller.Start();
            controller.Apply(firstPlan(controller.Context()), revision: 0);
            var now = options.TimeProvider.GetTimestamp();
            var total = default(WorkSample);
            monitor.Restart(total, now);
            foreach (var window in windows)
            {
                total += window;
                monitor.Step(now, total);
                Widths.Add(controller.Pool.Plan.Width);
            }

            Plans = [.. controller.Plans];
        }
        finally
        {
            Release();
            await controller.Pool.AllExited;
            controller.Stop();
        }
    }
}
