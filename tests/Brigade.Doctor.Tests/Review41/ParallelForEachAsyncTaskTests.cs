namespace Brigade.Doctor.Tests.Review41;

/// <summary>Audit 4: a thread blocked on <c>Parallel.ForEachAsync(...).Wait()</c> is told what it waits for.</summary>
public sealed class ParallelForEachAsyncTaskTests
{
    [Fact]
    public async Task ABlockingWaitOnParallelForEachAsync_NamesTheLoopsTask()
    {
        // Before: "waits in Task.Wait() for a task completed by code (a TaskCompletionSource's, or similar) that nothing
        // has completed yet", which sent the reader looking for a TaskCompletionSource of theirs.
        var outcome = await CorpusFixture.DiagnoseAsync("parallel-foreach-async-nested-under-throttle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        Assert.Equal(["BRG1001"], diagnosis.Reports.Select(r => r.Code));
        var text = diagnosis.ToString();
        Assert.Contains("waits in Task.Wait() for the task of a Parallel.ForEachAsync, which completes when its last body has ended", text, StringComparison.Ordinal);
        Assert.DoesNotContain("a TaskCompletionSource's, or similar", text, StringComparison.Ordinal);
    }
}
