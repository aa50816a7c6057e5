namespace Brigade.Doctor.Tests.Review63;

/// <summary>
/// Review 63 (left by review 62's <c>pforeach</c>): <c>Parallel.ForEach</c> whose item 0 waits, under a lock, for a
/// <c>TaskCompletionSource</c> that item 1 completes under the same lock. Before: "No pitfall found", the source "nothing has
/// completed yet" and the setter listed as blocked on the lock. Now a possible cycle of the two threads: the waiter holds
/// the lock, the thread waiting for it completes a source of that type after it. The program is the corpus's
/// <c>parallel-invoke-under-lock</c> (one dump for both).
/// </summary>
public sealed class TcsSetUnderLockTests
{
    [Fact]
    public async Task ALoopBodyWaitingUnderALockForASourceTheOtherBodyCompletesUnderIt_IsAPossibleCycle()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("parallel-invoke-under-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "indexer" || t.Name == "index-worker"));
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(2, cycle.Links.Count);
        var wait = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.Task).Wait;
        Assert.Contains("TaskCompletionSource", wait.Task!.ToString(), StringComparison.Ordinal);
        Assert.Contains(wait.HolderRoles.Values, r => r.StartsWith("which would be completed (", StringComparison.Ordinal) && r.Contains("calls TrySetResult", StringComparison.Ordinal)
            && r.Contains("ParallelInvokeUnderLock.cs:", StringComparison.Ordinal));
        // Review 64: the line of the call that would complete it (TrySetResult), not the lock the setter waits at.
        var setLine = Review64.CorpusSource.LineOf("ParallelInvokeUnderLock.cs", "Pages[item].TrySetResult(item);");
        Assert.Contains(wait.HolderRoles.Values, r => r.Contains($"ParallelInvokeUnderLock.cs:{setLine}) calls TrySetResult", StringComparison.Ordinal));
        var lockWait = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.Monitor).Wait;
        Assert.Contains("Index", lockWait.Target!.HeldIn, StringComparison.Ordinal);

        var report = diagnosis.Reports.Select(r => r.Message).Single(m => m.Contains("A possible deadlock: a TaskCompletionSource records no owner", StringComparison.Ordinal));
        Assert.Contains("unless other code completes that source, none of them can ever proceed", report, StringComparison.Ordinal);

        // The certain cycle of the same program is unchanged.
        Assert.Contains(diagnosis.Deadlocks, d => !d.IsPossible && d.Threads.Any(t => t.Name == "caller"));
    }
}
