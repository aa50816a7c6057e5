namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 44: a shutdown path holds the cache's lock, disposes the refresh timer with <c>Timer.Dispose(WaitHandle)</c>
/// and waits on that handle, which the timer sets once its running callback returns; the callback is blocked on the cache's
/// lock. Before: the wait handle had "no owner to blame" (a hint only). The handle given to <c>Dispose</c> is the timer's
/// to set: the thread running its callback owns the wait, and the cycle is a deadlock.</summary>
public sealed class TimerDisposedUnderCallbackLock : Scenario
{
    private static readonly object Cache = new();
    private static Timer? _refresh;

    public override string Name => "timer-disposed-under-callback-lock";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["shutdown", "timer-callback"]], WaitKinds = ["WaitHandle", "Monitor"] };

    public override void Start()
    {
        var lockTaken = new ManualResetEventSlim();
        var inCallback = new ManualResetEventSlim();
        var callbackBlocked = 0;
        _refresh = new Timer(_ =>
        {
            Thread.CurrentThread.Name = "timer-callback";
            lockTaken.Wait();
            inCallback.Set();
            Volatile.Write(ref callbackBlocked, 1);
            lock (Cache)
            {
            }
        }, null, 50, Timeout.Infinite);
        var shutdown = Run("shutdown", () =>
        {
            lock (Cache)
            {
                lockTaken.Set();
                inCallback.Wait();
                using var done = new ManualResetEvent(false);
                _refresh.Dispose(done);
                done.WaitOne();
            }
        });
        WaitUntil(() => Volatile.Read(ref callbackBlocked) == 1);
        WaitUntilBlocked(shutdown);
    }
}
