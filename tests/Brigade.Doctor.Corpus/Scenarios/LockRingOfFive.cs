namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Five philosophers, five forks (plain <c>lock</c>), everyone takes the left fork first.</summary>
public sealed class LockRingOfFive : Scenario
{
    public override string Name => "philosophers-5";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["philosopher-1", "philosopher-2", "philosopher-3", "philosopher-4", "philosopher-5"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var forks = Enumerable.Range(0, 5).Select(_ => new object()).ToArray();
        var allHold = new Barrier(5);
        var threads = Enumerable.Range(0, 5).Select(i => Run($"philosopher-{i + 1}", () =>
        {
            lock (forks[i])
            {
                allHold.SignalAndWait();
                lock (forks[(i + 1) % 5]) { }
            }
        })).ToArray();
        WaitUntil(() => allHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(threads);
    }
}
