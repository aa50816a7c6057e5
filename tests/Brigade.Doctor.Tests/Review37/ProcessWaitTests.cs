namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: a <c>Process.WaitForExit</c> names the process waited for, not an anonymous wait handle.</summary>
public sealed class ProcessWaitTests
{
    [Fact]
    public async Task WaitForExit_NamesTheChildProcess_AndDoesNotSayAnyThreadMayReleaseIt()
    {
        // Before: "waits in WaitHandle.WaitOne on ...SafeWaitHandle (field ...SafeProcessHandle._handle) — no owner to
        // blame: any thread may release it": only the child's exit ends it, and the report did not say which child.
        var outcome = await CorpusFixture.DiagnoseAsync("process-wait-for-exit");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var thread = Assert.Single(diagnosis.Threads, t => t.Name == "build-step");
        Assert.Equal("Process.WaitForExit", thread.Wait!.Api);
        // Review 45: with the arguments of its ArgumentList (before: "(sh)").
        // Review 46: and that the child reads a standard input never closed, which is why it does not exit.
        Assert.Matches(@"^process \d+ \(sh -c ""read line""\); its standard input is redirected and still open", thread.Wait.Detail);
        var text = diagnosis.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains("'build-step'", StringComparison.Ordinal) && l.Contains("waits in", StringComparison.Ordinal));
        Assert.DoesNotContain("any thread may release it", line, StringComparison.Ordinal);
        Assert.Contains("it ends when that process exits", line, StringComparison.Ordinal);
    }
}
