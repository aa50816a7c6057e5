namespace Brigade.Doctor.Tests;

/// <summary>
/// Review 21's false deadlocks of the one-thread "UI-thread .Result" rule (D1-D3), each a corpus twin diagnosed from
/// outside: a healthy program must get no report. ForeignProgramTests' ui-thread-result keeps the real deadlock found.
/// </summary>
public sealed class SynchronizationContextWaitTests
{
    [Fact]
    public async Task ATimedTaskWaitOnAUiThread_IsNoDeadlock_ButNamedAsATimedWait()
    {
        // Before: "BRG1001 ... waits for work that only it can run ... it can never proceed", though Wait(TimeSpan) gives up.
        var diagnosis = await DiagnoseAsync("twin-ui-timed-wait");

        Assert.Empty(diagnosis.Deadlocks);
        Assert.Empty(diagnosis.Reports);
        var ui = diagnosis.Threads.Single(t => t.Name == "ui-timed");
        Assert.Equal(WaitKind.Task, ui.Wait!.Kind);
        Assert.Equal("Task.Wait(timeout)", ui.Wait.Api);
        Assert.Empty(ui.Wait.Owners);
    }

    [Fact]
    public async Task AQueuedCallbackThatCapturedTheTask_IsNoContinuationQueuedHere()
    {
        // Before: the context reached the task's state machine through the callback's closure: a false deadlock of ui-a,
        // whose task's continuation is queued on ui-b's context.
        var diagnosis = await DiagnoseAsync("twin-continuation-on-another-context");

        Assert.Empty(diagnosis.Deadlocks);
        Assert.Empty(diagnosis.Reports);
        Assert.Contains(diagnosis.Threads, t => t.Name == "ui-a" && t.Wait?.Kind == WaitKind.Task && t.Wait.Owners.Count == 0);
    }

    [Fact]
    public async Task AContextPumpedByTwoThreads_IsNoDeadlockOfTheOneThatWaits()
    {
        // Before: "only this thread can run it", though the other pump runs the continuation once its handler returns.
        var diagnosis = await DiagnoseAsync("twin-two-pumps");

        Assert.Empty(diagnosis.Deadlocks);
        Assert.Empty(diagnosis.Reports);
        Assert.Contains(diagnosis.Threads, t => t.Name == "pump-waiting" && t.Wait?.Kind == WaitKind.Task && t.Wait.Owners.Count == 0);
    }

    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{scenario}: {outcome.Error}\n{outcome.ChildOutput}");
        Assert.True(outcome.LeftRunning, $"{scenario}: the diagnosed process did not survive its dump");
        return outcome.Diagnosis!;
    }
}
