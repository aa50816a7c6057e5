namespace Brigade.Doctor.Tests.Review47;

/// <summary>Review 47 (left by review 46): pool workers spinning for a <c>SpinLock</c> whose holder busy-waits on the clock
/// inside it. The holder, caught in <c>Stopwatch.GetTimestamp</c>'s clock read, shows no managed frame: it was taken for
/// an idle thread outside the pool, so the spinners named no holder and the pool was called starved (<c>BRG1004</c>).</summary>
public sealed class SpinLockHolderInNativeCodeTests
{
    [Fact]
    public async Task SpinnersOfABusyWaitingHolder_NameIt_AndThePoolIsNotStarved()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("spin-lock-holder-busy-waiting");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();
        Assert.True(diagnosis.Reports.Count == 0, text);

        var spinners = diagnosis.Threads.Where(t => t.Wait?.Kind == WaitKind.SpinLock).ToList();
        Assert.NotEmpty(spinners);
        var holderId = Assert.Single(spinners.SelectMany(t => t.Wait!.Owners).Distinct());
        var holder = Assert.Single(diagnosis.Threads, t => t.ManagedThreadId == holderId);
        Assert.True(holder.IsThreadPoolWorker, text);
        Assert.False(holder.IsIdle, text);
        Assert.True(text.Contains($"), held by {holder}", StringComparison.Ordinal), text);
    }
}
