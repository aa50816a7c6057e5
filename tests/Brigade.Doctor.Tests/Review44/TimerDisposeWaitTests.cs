namespace Brigade.Doctor.Tests.Review44;

/// <summary>Review 44, a program outside the corpus: <c>Timer.Dispose(WaitHandle)</c> then <c>WaitOne</c> under a lock the
/// timer's callback needs.</summary>
public sealed class TimerDisposeWaitTests
{
    [Fact]
    public async Task WaitingForATimersCallbackUnderTheLockItTakes_IsADeadlockThroughTheCallbacksThread()
    {
        // Before: "WaitHandle.WaitOne ... no owner to blame: any thread may release it; meanwhile it holds a lock pool
        // thread #6 waits for", no pitfall.
        var outcome = await CorpusFixture.DiagnoseAsync("timer-disposed-under-callback-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1001"]), text);
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.False(cycle.IsPossible);
        var message = diagnosis.Reports[0].Message;
        Assert.Contains("thread 'shutdown'", message, StringComparison.Ordinal);
        Assert.Contains("the handle given to Timer.Dispose(WaitHandle), set when the timer's running callback returns", message, StringComparison.Ordinal);
        Assert.Contains("whose callback, which sets it, runs on pool thread 'timer-callback'", message, StringComparison.Ordinal);
    }
}
