using Brigade.Diagnostics;
using Brigade.Doctor.Tests.Review52;

namespace Brigade.Doctor.Tests.Review71;

/// <summary>
/// Review 71: a new user's three programs hang for ever and read "No pitfall found", exit 0: a consumer in
/// <c>Monitor.Wait</c> whose only Pulse came first, a <c>ManualResetEventSlim</c> nothing sets, and a
/// <c>Task.WhenAll(Task.Delay(10), source.Task).GetAwaiter().GetResult()</c> on a <c>TaskCompletionSource</c> only the waiter
/// refers to. Now a BRG1008 hang, certain when the waited-on object is reachable only from the waiter's own stack (the
/// corpus program <c>ownerless-waits-nothing-can-signal</c>, one dump). Its twin, the same waits with a live timer, a
/// sleeping pulser and a reader still to end them, stays clean.
/// </summary>
public sealed class OwnerlessHangTests
{
    [Fact]
    public async Task ALostPulseAnEventNeverSetAndASourceOnlyTheWaiterHolds_AreOneCertainHang()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("ownerless-waits-nothing-can-signal");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var report = Assert.Single(diagnosis.Reports);
        Assert.Equal(PitfallKind.Hang, report.Kind);
        Assert.Equal("BRG1008", report.Code);
        Assert.Equal(["mres-never-set", "pulse-lost", "whenall-tcs"], report.Threads.Select(t => t.Name!).Order(StringComparer.Ordinal));
        Assert.StartsWith("Hang detected: 3 threads wait, with no timeout, on what no code left in the process can signal:", report.Message, StringComparison.Ordinal);
        Assert.Contains("is reachable only from its own stack", report.Message, StringComparison.Ordinal);
        Assert.Contains("A hang: these threads wait for ever", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("A possible hang", report.Message, StringComparison.Ordinal);
        Assert.Contains("A Pulse sent before a Monitor.Wait began is lost", report.Message, StringComparison.Ordinal);
        Assert.Contains("A TaskCompletionSource nothing completes", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No pitfall found", text, StringComparison.Ordinal);
        // Listed once, in the hang, not again among the other blocked threads (the program's Main, reading its input, is).
        var others = text[text.IndexOf("Other blocked threads", StringComparison.Ordinal)..];
        Assert.DoesNotContain("'pulse-lost'", others, StringComparison.Ordinal);
        Assert.DoesNotContain("'mres-never-set'", others, StringComparison.Ordinal);
        Assert.DoesNotContain("'whenall-tcs'", others, StringComparison.Ordinal);
        Assert.Empty(diagnosis.Deadlocks);
    }

    [Fact]
    public async Task TheSameWaitsWithALiveTimerPulserAndReader_StayClean()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("twin-ownerless-waits-a-live-signaller-ends");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();

        Assert.True(outcome.Diagnosis.Reports.Count == 0, text);
        Assert.Contains("No pitfall found", text, StringComparison.Ordinal);
        Assert.Contains("'reply-waiter'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEventWaitWithNoOwner_SaysAnyThreadMaySetIt_NotReleaseIt()
    {
        var text = Texts.Of(Texts.Thread(4, "waits-loaded", WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", "System.Threading.ManualResetEventSlim", "static field Shop.Program.Loaded", []));

        // Failed before: "no owner to blame: any thread may release it" (an event is set, not released).
        Assert.Contains("no owner to blame: any thread may set it", text, StringComparison.Ordinal);
        Assert.DoesNotContain("release it", text, StringComparison.Ordinal);
    }
}
