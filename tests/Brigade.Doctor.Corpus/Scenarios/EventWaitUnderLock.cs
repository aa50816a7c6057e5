namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and waits on a <c>ManualResetEvent</c> that the thread it blocks is to set: a real hang
/// the dump cannot prove (an event has no owner), listed with the lock it holds and who waits for it.
/// Review 65b: the loader's code sets this very event after the lock it waits for (its receiver, the static, holds the
/// <c>SafeWaitHandle</c> the wait roots): now a possible cycle, as a <c>ManualResetEventSlim</c>'s since review 64. Beside
/// it (in this program, not one of its own: each program costs the suite a dump), the same with <c>WaitOne(timeout)</c>:
/// that wait gives up, no cycle.</summary>
public sealed class EventWaitUnderLock : Scenario
{
    private static readonly object Cache = new();
    private static readonly ManualResetEvent Loaded = new(false);
    private static readonly object TimedCache = new();
    private static readonly AutoResetEvent TimedLoaded = new(false);

    public override string Name => "event-wait-under-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["cache-owner", "loader"]],
        WaitKinds = ["Monitor", "WaitHandle"],
        HeldIn = "the handle of System.Threading.ManualResetEvent static field Brigade.Doctor.Corpus.Scenarios.EventWaitUnderLock.Loaded",
    };

    public override void Start()
    {
        var holds = new ManualResetEventSlim();
        var owner = Run("cache-owner", () => { lock (Cache) { holds.Set(); Loaded.WaitOne(); } });
        holds.Wait();
        var loader = Run("loader", () => { lock (Cache) { Loaded.Set(); } });
        var timedHolds = new ManualResetEventSlim();
        var timedOwner = Run("timed-cache-owner", () =>
        {
            lock (TimedCache)
            {
                timedHolds.Set();
                TimedLoaded.WaitOne(TimeSpan.FromHours(1));
            }
        });
        timedHolds.Wait();
        var timedLoader = Run("timed-loader", () =>
        {
            lock (TimedCache)
            {
                TimedLoaded.Set();
            }
        });
        WaitUntilBlocked(owner, loader, timedOwner, timedLoader);
    }
}
