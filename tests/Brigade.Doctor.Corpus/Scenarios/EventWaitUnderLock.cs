namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and waits on a <c>ManualResetEvent</c> that the thread it blocks is to set: a real hang
/// the dump cannot prove (an event has no owner), listed with the lock it holds and who waits for it.</summary>
public sealed class EventWaitUnderLock : Scenario
{
    private static readonly object Cache = new();
    private static readonly ManualResetEvent Loaded = new(false);

    public override string Name => "event-wait-under-lock";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["cache-owner"],
        WaitKinds = ["WaitHandle"],
        HeldIn = "the handle of System.Threading.ManualResetEvent static field Brigade.Doctor.Corpus.Scenarios.EventWaitUnderLock.Loaded",
    };

    public override void Start()
    {
        var holds = new ManualResetEventSlim();
        var owner = Run("cache-owner", () => { lock (Cache) { holds.Set(); Loaded.WaitOne(); } });
        holds.Wait();
        var loader = Run("loader", () => { lock (Cache) { Loaded.Set(); } });
        WaitUntilBlocked(owner, loader);
    }
}
