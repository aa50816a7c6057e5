using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review64c;

/// <summary>
/// Review 64c: a <c>SemaphoreSlim(0)</c> whose only releaser, <c>Task.Run(() =&gt; ready.Release(), token)</c>, was cancelled
/// before it ran: its task is Canceled, its waiters block for ever (/tmp/doctor64-hangs mode sem-cancelled). It read "No
/// pitfall found", exit 0. Now a possible hang (BRG1008): the waiters, the ended task, and the code holding that very
/// semaphore that calls its <c>Release</c> (a lambda no thread runs), with file:line. The program is the corpus's
/// <c>semaphore-wait</c> (one dump for both of its waits).
/// </summary>
public sealed class CancelledReleaserTests
{
    [Fact]
    public async Task WaitersOfASemaphoreWhoseOnlyReleaserTaskWasCancelled_AreAPossibleHang_NamingTheTaskAndTheReleaseLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Review 65: the program also has a static semaphore's hang (Review65/StaticSemaphoreEndedReleaserTests).
        Assert.True(diagnosis.Reports.All(r => r.Code == "BRG1008"), text);
        Assert.Empty(diagnosis.Deadlocks);
        var report = Assert.Single(diagnosis.Reports, r => r.Threads.Any(t => t.Name == "ready-waiter-a"));
        Assert.Equal(["ready-waiter-a", "ready-waiter-b"], report.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var message = report.Message;
        Assert.StartsWith("Hang detected: 2 threads wait in SemaphoreSlim.Wait on System.Threading.SemaphoreSlim (captured variable 'ready' in ", message, StringComparison.Ordinal);
        Assert.Contains("a task cancelled before it ran", message, StringComparison.Ordinal);
        var line = CorpusSource.LineOf("SemaphoreWait.cs", "() => ready.Release(),");
        Assert.Contains($"SemaphoreWait.Start (lambda) (SemaphoreWait.cs:{line}) calls Release on it", message, StringComparison.Ordinal);
        Assert.Contains("A possible hang: unless code the dump does not show releases it, these threads wait for ever.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("sem-waiter", message, StringComparison.Ordinal);

        // The static semaphore's waiter is what it was: no ended task's code releases it.
        var waiter = Assert.Single(diagnosis.BlockedWithoutOwner, t => t.Name == "sem-waiter");
        Assert.Equal("static field Brigade.Doctor.Corpus.Scenarios.SemaphoreWait.Slots", waiter.Wait!.Target?.HeldIn);
    }
}
