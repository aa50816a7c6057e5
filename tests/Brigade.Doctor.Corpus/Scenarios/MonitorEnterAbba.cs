namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Explicit <c>Monitor.Enter</c>/<c>Monitor.Exit</c> in opposite orders.</summary>
public sealed class MonitorEnterAbba : Scenario
{
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];

    public override string Name => "monitor-enter-abba";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["left-first", "right-first"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("left-first", () => Both(_left, _right, bothHold));
        var t2 = Run("right-first", () => Both(_right, _left, bothHold));
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }

    private static void Both(List<int> first, List<int> second, Barrier bothHold)
    {
        var firstTaken = false;
        try
        {
            Monitor.Enter(first, ref firstTaken);
            bothHold.SignalAndWait();
            Monitor.Enter(second);
            Monitor.Exit(second);
        }
        finally
        {
            if (firstTaken)
            {
                Monitor.Exit(first);
            }
        }
    }
}
