namespace Brigade.Doctor.Tests.Review60;

/// <summary>
/// Review 60: a thread waiting on a <c>Barrier</c> or a <c>CountdownEvent</c> while holding a lock that the missing
/// participant (or signaller) takes before it arrives (or signals) read "No pitfall found", listed with "if that thread is to
/// signal it, they deadlock" (/tmp/doctor60-progs modes barrierlock and countdownlock). The waiting thread's own code shows
/// it arrives or signals after that lock: a possible deadlock, as review 59 made of a <c>SemaphoreSlim</c>'s releaser.
/// </summary>
public sealed class SignallerBehindLockTests
{
    [Fact]
    public async Task ABarrierWaitUnderALockTheMissingParticipantTakes_IsAPossibleDeadlock()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("barrier-wait-under-lock-participant-behind");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: no deadlock ("No pitfall found").
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Contains("arrives at it, with SignalAndWait, after the lock it waits for) by thread 'import-3'", text, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a Barrier or a CountdownEvent records no owner", text, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Reports, r => r.Code == "BRG1001");

        // Before this advice, the cycle's headline advice was only "Break the cycle.".
        Assert.Contains("Never wait on a Barrier or a CountdownEvent while holding a lock that its participants take before they arrive or signal", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACountdownWaitUnderALockItsSignallersTake_IsAPossibleDeadlock()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("countdown-wait-under-lock-signallers-behind");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: no deadlock ("No pitfall found").
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Contains("calls Signal on it after the lock it waits for) by thread 'sum-2'", text, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a Barrier or a CountdownEvent records no owner", text, StringComparison.Ordinal);
    }
}
