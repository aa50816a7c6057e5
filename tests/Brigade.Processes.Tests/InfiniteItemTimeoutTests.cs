using Brigade.Engines.Remote;

namespace Brigade.Processes.Tests;

/// <summary>
/// Review 30, finding 8: <c>ProcessEngineOptions.ItemTimeout = Timeout.InfiniteTimeSpan</c> means "never kill the worker
/// for time", also when the run sets <see cref="RunOptions.ItemTimeout"/> (which, with the engine's option null, still
/// leads to a hard kill at every attempt's timeout and wait plus one more timeout).
/// </summary>
public sealed class InfiniteItemTimeoutTests
{
    private static readonly ItemPolicySpec Attempts = ItemPolicySpec.From(new RunOptions { ItemTimeout = TimeSpan.FromMilliseconds(200) }, "processes")!;

    [Fact]
    public void InfiniteTimeSpan_IsKeptAsSet_AndNeverKills_WhateverTheRunsAttemptTimeout()
    {
        var options = new ProcessEngineOptions { ItemTimeout = Timeout.InfiniteTimeSpan };

        Assert.Equal(Timeout.InfiniteTimeSpan, options.ItemTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.Clone().ItemTimeout);
        Assert.Null(options.HardItemTimeout(Attempts));
        Assert.Null(options.HardItemTimeout(null));
    }

    [Fact]
    public void Null_KillsAfterEveryAttempt_PlusOneTimeout_AndAValue_IsTheLimit()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(400), new ProcessEngineOptions().HardItemTimeout(Attempts));
        Assert.Null(new ProcessEngineOptions().HardItemTimeout(null));
        Assert.Equal(TimeSpan.FromSeconds(3), new ProcessEngineOptions { ItemTimeout = TimeSpan.FromSeconds(3) }.HardItemTimeout(Attempts));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessEngineOptions { ItemTimeout = TimeSpan.FromMilliseconds(-2) });
    }

    [Fact(Timeout = 60_000)]
    public async Task InfiniteTimeSpan_WithARunAttemptTimeout_DoesNotKillAWorkerThatIgnoresIt()
    {
        // The item sleeps 1.5 s, deaf to its 100 ms attempt timeout: with ItemTimeout null the worker would be killed at
        // about 200 ms; with InfiniteTimeSpan the attempt runs out and fails cooperatively in the worker.
        await using var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.ItemTimeout = Timeout.InfiniteTimeSpan;
        });
        var options = TestEngines.Run(engine, batchSize: 1);
        options.ItemTimeout = TimeSpan.FromMilliseconds(100);

        var result = await Runner.MapAsync([1500], new Sleep(), options).WaitAsync(TimeSpan.FromSeconds(45));

        Assert.Equal(0L, engine.GetStatistics().WorkerTimeouts);
        var failure = Assert.Single(result.Report.Failures);
        Assert.IsNotType<TimeoutException>(failure.Exception);
    }
}
