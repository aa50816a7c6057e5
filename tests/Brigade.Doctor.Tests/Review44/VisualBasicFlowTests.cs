namespace Brigade.Doctor.Tests.Review44;

/// <summary>Review 44 (known miss of review 43): Visual Basic's async state machines (<c>VB$StateMachine_N_Method</c>, with
/// <c>$State</c> and <c>$A0</c> fields) are read as C#'s are: the flow, the await it is suspended at, and that await's
/// source line. Before: <c>await #1</c>, by number only (the IL reader looked for C#'s <c>&lt;&gt;1__state</c> only).</summary>
public sealed class VisualBasicFlowTests
{
    private static string VisualBasicDll => Path.Combine(AppContext.BaseDirectory, "Brigade.Doctor.VisualBasic.dll");

    [Fact]
    public async Task AThreadWaitingOnAVisualBasicFlow_ShowsTheFlowsAwaitWithItsSourceLine()
    {
        await using var child = await ChildProcess.StartAsync(VisualBasicDll, []);
        var diagnosis = await Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory });
        var text = diagnosis.ToString();

        var waiter = diagnosis.Threads.Single(t => t.Name == "vb-waiter");
        Assert.Equal(WaitKind.Task, waiter.Wait!.Kind);
        var chain = waiter.Wait.Task!.ToString();

        // $State read (the flow is at its second await, #1) and mapped through the IL and the PDB to Program.vb's line 21.
        Assert.Contains("Brigade.Doctor.VisualBasic.Program.LoadAsync", chain, StringComparison.Ordinal);
        Assert.Contains("Gate.WaitAsync(), Program.vb:21", chain, StringComparison.Ordinal);
        Assert.True(child.HasExited is false, text);
    }
}
