using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review52;

/// <summary>Review 52: two threads that join each other hold nothing; the advice read "never join a thread while holding
/// something it needs", which named a cause the program does not have.</summary>
public sealed class AnalysisJoinRingTests
{
    [Fact]
    public void AJoinRing_IsAdvisedToJoinFromOneOwner()
    {
        var a = Texts.Thread(5, "shutdown-a", WaitKind.ThreadJoin, "Thread.Join", "System.Threading.Thread", "static field Shop.Host.B", [6]);
        var b = Texts.Thread(6, "shutdown-b", WaitKind.ThreadJoin, "Thread.Join", "System.Threading.Thread", "static field Shop.Host.A", [5]);
        var cycle = new DeadlockCycle([new DeadlockLink(a, b), new DeadlockLink(b, a)], []);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [a, b], []).Single().Message;

        // Failed before: "Never join a thread while holding something it needs."
        Assert.Contains("Threads that join each other each wait for the other to end, so none ends: let one owner", text, StringComparison.Ordinal);
        Assert.DoesNotContain("while holding something it needs", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AJoinInACycleWithALock_KeepsTheHoldingAdvice()
    {
        var a = Texts.Thread(5, "stopper", WaitKind.ThreadJoin, "Thread.Join", "System.Threading.Thread", "field Shop.Host._worker", [6]);
        var b = Texts.Thread(6, "worker", WaitKind.Monitor, "Monitor.Enter", "System.Object", "field Shop.Host._gate", [5]);
        var cycle = new DeadlockCycle([new DeadlockLink(a, b), new DeadlockLink(b, a)], []);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [a, b], []).Single().Message;

        Assert.Contains("never join a thread while holding something it needs", text, StringComparison.OrdinalIgnoreCase);
    }
}
