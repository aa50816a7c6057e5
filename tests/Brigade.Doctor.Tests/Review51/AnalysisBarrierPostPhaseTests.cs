using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review51;

/// <summary>Review 51: a <c>Barrier</c> whose post-phase action takes a lock a participant holds while it signals. The
/// participant waits for the phase to end, the last to arrive runs the action and waits for the lock. The cycle is named by
/// what the program called (a Barrier, not the ManualResetEventSlim inside) and the advice is about the post-phase action,
/// not a lock order (one lock only).</summary>
public sealed class AnalysisBarrierPostPhaseTests
{
    [Fact]
    public void APostPhaseActionWaitingForAParticipantsLock_IsNamedAndAdvisedAsSuch()
    {
        const string role = "whose post-phase action, which must return before the phase ends, runs on";
        var signalSite = new DiagnosedFrame("Shop.Stage.Run", "Stage.cs", 20, isFramework: false);
        var participant = new DiagnosedThread(4, 4242, "holder", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.ManualResetEventSlim, "Barrier.SignalAndWait", new WaitObject(0x7f0000002000, "System.Threading.Barrier", "static field Shop.Stage.Phases"), [5],
                task: null, detail: "every participant arrived", signalSite, new Dictionary<int, string> { [5] = role }),
            [signalSite]);
        var enterSite = new DiagnosedFrame("Shop.Stage.EndOfPhase", "Stage.cs", 12, isFramework: false);
        var last = new DiagnosedThread(5, 4243, "last-arriver", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Monitor, "Monitor.Enter", new WaitObject(0x7f0000001000, "System.Object", "static field Shop.Stage.Gate"), [4], task: null, detail: null, enterSite),
            [enterSite]);
        var cycle = new DeadlockCycle([new DeadlockLink(participant, last), new DeadlockLink(last, participant)], []);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [participant, last], []).Single().Message;

        Assert.Contains("2 threads wait for each other in a cycle (Barrier, lock/Monitor)", text, StringComparison.Ordinal);
        Assert.Contains("(Stage.cs:20), whose post-phase action, which must return before the phase ends, runs on thread 'last-arriver' (#5)", text, StringComparison.Ordinal);
        Assert.Contains("A Barrier's post-phase action runs on the last participant to arrive", text, StringComparison.Ordinal);
        Assert.DoesNotContain("global order", text, StringComparison.Ordinal);
    }
}
