namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread waits on a <c>SemaphoreSlim</c> at 0 that nobody releases: blocked, but no owner to blame.</summary>
public sealed class SemaphoreWait : Scenario
{
    private static readonly SemaphoreSlim Slots = new(0);

    public override string Name => "semaphore-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["sem-waiter"], WaitKinds = ["SemaphoreSlim"], HeldIn = "static field Brigade.Doctor.Corpus.Scenarios.SemaphoreWait.Slots" };

    public override void Start() => WaitUntilBlocked(Run("sem-waiter", () => Slots.Wait()));
}
