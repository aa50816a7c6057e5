namespace Brigade.Doctor.Tests.Review72;

/// <summary>Review 72 (fresh71's repros, review 71's leftover): a <c>Main</c> that sleeps 300 ms in one branch and
/// <c>Thread.Sleep(Timeout.Infinite)</c> at its end was listed under "Other blocked threads" as a plain <c>Thread.Sleep</c>:
/// every call to <c>Sleep</c> in it had to pass an infinite timeout. Review 71 read it at the frame's call for the ownerless
/// hangs' evidence only; the thread's wait is now named so too.</summary>
public sealed class SleepForeverAtFrameTests
{
    [Fact]
    public async Task AThreadParkedAfterAShortSleepElsewhere_IsListedAsSleepingForEver()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("sleep-forever-after-short-sleep");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();

        var parked = Assert.Single(outcome.Diagnosis.Threads, t => t.Name == "parked");
        Assert.True(parked.Wait?.Api == "Thread.Sleep(Timeout.Infinite)", text);
        Assert.Contains("'parked'", text, StringComparison.Ordinal);
        Assert.Contains(text.Split('\n'), l => l.Contains("'parked'", StringComparison.Ordinal) && l.Contains("waits in Thread.Sleep(Timeout.Infinite)", StringComparison.Ordinal));
    }
}
