namespace Brigade.Doctor.Tests.Review41;

/// <summary>Audit 4: the console's writer is a lock (<c>Console.WriteLine(obj)</c> runs <c>obj.ToString()</c> under it).</summary>
public sealed class ConsoleWriterLockTests
{
    [Fact]
    public async Task AnAbbaThroughTheConsolesWriter_NamesTheConsoleAndWhyItIsALock()
    {
        // Before: "waits in Monitor.Enter on System.IO.TextWriter+SyncTextWriter (a local of ...Wallet.Deposit)".
        var outcome = await CorpusFixture.DiagnoseAsync("console-writer-lock-pair");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        var cycle = Assert.Single(diagnosis.Deadlocks);
        var console = Assert.Single(cycle.Links, l => l.Wait.Target?.TypeName == "System.IO.TextWriter+SyncTextWriter");
        Assert.Equal("deposits", console.Waiter.Name);
        Assert.Equal("Console.Error: Console.Write and WriteLine hold its lock while they format their arguments, a ToString() included", console.Wait.Target!.HeldIn);
        Assert.DoesNotContain("a local of", Assert.Single(diagnosis.Reports).Message, StringComparison.Ordinal);
    }
}
