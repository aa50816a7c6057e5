namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 50: as <see cref="EventWaitUnderLock"/>, with the <c>ManualResetEvent</c> a local captured by the threads' lambdas
/// (the usual <c>var loaded = new ManualResetEvent(false)</c>) rather than a static. Its wait roots only the event's
/// <c>SafeWaitHandle</c>, which was named "field System.Threading.ManualResetEvent._waitHandle", not by the variable.
/// </summary>
public sealed class NewCapturedEventUnderLock : Scenario
{
    private static readonly object Catalog = new();

    public override string Name => "new-captured-event-under-lock";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["catalog-owner"],
        WaitKinds = ["WaitHandle"],
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
