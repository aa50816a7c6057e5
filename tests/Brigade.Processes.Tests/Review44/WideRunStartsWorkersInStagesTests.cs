namespace Brigade.Processes.Tests.Review44;

/// <summary>
/// Review 44: a run much wider than the machine (<c>MaxDegreeOfParallelism</c> far above the cores and
/// <see cref="ProcessEngineOptions.MaxWorkers"/>; <c>int.MaxValue</c> over 200 items) started one worker process per item
/// at once: every loop took an item, widened the run, then waited for its own worker. 200 `dotnet` start-ups on 2 cores
/// outlasted <see cref="ProcessEngineOptions.StartTimeout"/> and failed the whole run with a
/// <see cref="WorkerStartException"/>. Workers now start in stages of at most max(cores, MaxWorkers) at a time.
/// </summary>
public sealed class WideRunStartsWorkersInStagesTests
{
    [Fact(Timeout = 180_000)]
    public async Task InstantItems_WidthFarAboveTheMachine_TheFirstWorkersRunThem_NotOneProcessPerItem()
    {
        await using var engine = TestEngines.Create();
        const int Items = 32;

        var result = await Runner.MapAsync(Enumerable.Range(0, Items), new R44Pid(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = Items });

        Assert.True(result.Report.IsSuccess, result.Report.ToString());
        var processes = result.Values.Distinct().Count();
        var stage = Math.Max(Environment.ProcessorCount, 2);

        // Before: 32 (each of the 32 loops held an item and started its own worker). Now the first stage's workers (and
        // a loop or two started as they came up) run the instant items; later loops find the input done.
        Assert.InRange(processes, 1, Math.Min(Items - 1, (2 * stage) + 2));
    }
}
