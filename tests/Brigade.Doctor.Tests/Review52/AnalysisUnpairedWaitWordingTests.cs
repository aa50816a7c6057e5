using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review52;

/// <summary>Review 52: waits that end only when some other code does its part (a Pulse, a Signal, a Release, a client's
/// connect) read "no owner to blame: any thread may release it" (nothing is released by a Pulse) or, under a lock another
/// thread waits for, "if that thread is to signal it" (a pipe is connected to, not signalled).</summary>
public sealed class AnalysisUnpairedWaitWordingTests
{
    [Fact]
    public void AMonitorWait_SaysAPulseBeforeTheWaitIsLost()
    {
        var text = Texts.Of(Texts.Thread(6, "receiver", WaitKind.MonitorWait, "Monitor.Wait", "System.Object", "field Shop.Mailbox._gate", []));

        // Failed before: "— no owner to blame: any thread may release it".
        Assert.Contains("(Worker.cs:16) — it ends when another thread calls Monitor.Pulse or PulseAll on that object", text, StringComparison.Ordinal);
        Assert.Contains("a Pulse sent before this Wait began is lost", text, StringComparison.Ordinal);
        Assert.DoesNotContain("any thread may release it", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACountdownEventWait_SaysAParticipantThatThrewLeavesItShort()
    {
        var text = Texts.Of(Texts.Thread(4, "main-work", WaitKind.ManualResetEventSlim, "CountdownEvent.Wait", "System.Threading.CountdownEvent", "field Shop.Batch._done", [],
            detail: "1 of 3 signals still missing"));

        Assert.Contains("1 of 3 signals still missing at Shop.Worker.Run4 (Worker.cs:14) — it ends when the missing signals come", text, StringComparison.Ordinal);
        Assert.Contains("a participant that threw or returned early before its Signal leaves it short for ever; signal in a finally", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ASemaphoreWaitAtCountZeroWithNoHolder_SaysASlotMayHaveLeaked()
    {
        var text = Texts.Of(Texts.Thread(4, "main-work", WaitKind.SemaphoreSlim, "SemaphoreSlim.Wait", "System.Threading.SemaphoreSlim", "field Shop.Pool._slots", [], detail: "count 0"));

        Assert.Contains("count 0 at Shop.Worker.Run4 (Worker.cs:14) — no thread shows holding a slot", text, StringComparison.Ordinal);
        Assert.Contains("as on an exception path whose Release was not in a finally", text, StringComparison.Ordinal);
    }

    [Fact]
    public void APipeServerWaitingUnderALockTheClientWaitsFor_SaysTheClientWouldConnect()
    {
        var server = Texts.Thread(5, "pipe-server", WaitKind.IO, WaitRule.NamedPipeWaitForConnection, "System.IO.Pipes.NamedPipeServerStream", "a local of Shop.Server.Run", []);
        var client = Texts.Thread(6, "pipe-client", WaitKind.Monitor, "Monitor.Enter", "System.Object", "static field Shop.Server.Sync", [5]);

        var text = Texts.Of(server, client);

        // Failed before: "meanwhile it holds a lock thread 'pipe-client' (#6) waits for: if that thread is to signal it, they deadlock".
        Assert.Contains("it ends when a client connects to the pipe; meanwhile it holds a lock thread 'pipe-client' (#6) waits for: if that thread is the client that would connect, they deadlock", text, StringComparison.Ordinal);
    }
}
