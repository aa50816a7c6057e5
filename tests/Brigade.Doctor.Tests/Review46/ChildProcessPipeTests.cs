namespace Brigade.Doctor.Tests.Review46;

/// <summary>Review 46: a child's redirected standard input, as the doctor names it: a write blocked on it (shown as
/// <c>Socket.Send</c> before), and a <c>Process.WaitForExit</c> on a child whose standard input was never closed (a child
/// reading its input to the end never exits; not said before).</summary>
public sealed class ChildProcessPipeTests
{
    private static async Task<string> TextAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!.ToString();
    }

    [Fact]
    public async Task AWriteToAFullChildStandardInput_NamesTheChild()
    {
        // Before: "thread 'feeder' (#4) waits in Socket.Send".
        var text = await TextAsync("child-standard-input-full");
        Assert.Contains("thread 'feeder' (#", text, StringComparison.Ordinal);
        Assert.Contains("waits in Process.StandardInput.Write, the standard input of process ", text, StringComparison.Ordinal);
        Assert.Contains(" (cat), a full pipe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("waits in Socket.Send", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForExit_OnAChildWhoseStandardInputIsOpen_SaysSo()
    {
        // process-wait-for-exit's child runs `sh -c "read line"` with its standard input redirected and never closed.
        var text = await TextAsync("process-wait-for-exit");
        Assert.Contains("its standard input is redirected and still open (StandardInput never closed)", text, StringComparison.Ordinal);
    }
}
