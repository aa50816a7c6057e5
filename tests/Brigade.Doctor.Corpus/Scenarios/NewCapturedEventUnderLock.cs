namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 50: as <see cref="EventWaitUnderLock"/>, with the <c>ManualResetEvent</c> a local captured by the threads' lambdas
/// (the usual <c>var loaded = new ManualResetEvent(false)</c>) rather than a static. Its wait roots only the event's
/// <c>SafeWaitHandle</c>, which was named "field System.Threading.ManualResetEvent._waitHandle", not by the variable.
/// Review 65b: the loader's code sets that very event after the lock (its receiver, the closure's field, holds the handle
/// the wait roots): a possible cycle, as <see cref="EventWaitUnderLock"/>'s.
/// </summary>
public sealed class NewCapturedEventUnderLock : Scenario
{
    private static readonly object Catalog = new();

    public override string Name => "new-captured-event-under-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["catalog-owner", "catalog-loader"]],
        WaitKinds = ["Monitor", "WaitHandle"],
        HeldIn = "the handle of System.Threading.ManualResetEvent captured variable 'loaded' in Brigade.Doctor.Corpus.Scenarios.NewCapturedEventUnderLock",
    };

    public override void Start()
    {
        var loaded = new ManualResetEvent(false);
        var holds = new ManualResetEventSlim();
        var owner = Run("catalog-owner", () => { lock (Catalog) { holds.Set(); loaded.WaitOne(); } });
        holds.Wait();
        var loader = Run("catalog-loader", () => { lock (Catalog) { loaded.Set(); } });
        WaitUntilBlocked(owner, loader);
        GC.KeepAlive(loaded);
    }
}
