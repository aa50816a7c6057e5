using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review65;

/// <summary>
/// Review 65: a <c>SemaphoreSlim(0)</c> in a static field whose only releaser, <c>Task.Run(() =&gt; Opened.Release(), token)</c>
/// (a lambda that captures nothing), was cancelled before it ran: its waiter blocks for ever. Review 64c found the releaser
/// only through an object holding the semaphore in a field (a closure, a state machine): a static has none, so it read "No
/// pitfall found". Now the code that loads that very static field (read from the dump: the field's value in the app
/// domain) and calls its <c>Release</c> is found too. The program is the corpus's <c>semaphore-wait</c> (one dump for all
/// of its waits).
/// </summary>
public sealed class StaticSemaphoreEndedReleaserTests
{
    [Fact]
    public async Task AWaiterOfAStaticSemaphoreWhoseOnlyReleaserTaskWasCancelled_IsAPossibleHang_NamingTheReleaseLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var report = diagnosis.Reports.SingleOrDefault(r => r.Threads.Any(t => t.Name == "opened-waiter"));
        Assert.True(report is not null, $"the static semaphore's waiter is not reported:\n{text}");
        Assert.Equal("BRG1008", report!.Code);
        Assert.Equal(["opened-waiter"], report.Threads.Select(t => t.Name));
        Assert.Contains("waits in SemaphoreSlim.Wait on System.Threading.SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.SemaphoreWait.Opened), with no free slot, and the task that was to release it has ended", report.Message, StringComparison.Ordinal);
        Assert.Contains("ended: a task cancelled before it ran", report.Message, StringComparison.Ordinal);
        var line = CorpusSource.LineOf("SemaphoreWait.cs", "() => Opened.Release(),");
        Assert.Contains($"SemaphoreWait.Start (lambda) (SemaphoreWait.cs:{line}) calls Release on it", report.Message, StringComparison.Ordinal);
        Assert.Contains("A possible hang: unless code the dump does not show releases it, this thread waits for ever.", report.Message, StringComparison.Ordinal);

        // The other static semaphore, which no code releases (its lambdas load it only to wait), is what it was.
        Assert.DoesNotContain(diagnosis.Reports, r => r.Threads.Any(t => t.Name == "sem-waiter"));
        Assert.Contains(diagnosis.BlockedWithoutOwner, t => t.Name == "sem-waiter");
    }
}
