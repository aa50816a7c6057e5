namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread waits on a <c>ManualResetEventSlim</c> nobody sets.</summary>
public sealed class EventSlimWait : Scenario
{
    private static readonly ManualResetEventSlim Started = new();

    public override string Name => "mres-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["mres-waiter"], WaitKinds = ["ManualResetEventSlim"] };

    public override void Start() => WaitUntilBlocked(Run("mres-waiter", () => Started.Wait()));
}
