namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 45: a thread holds a <c>SpinLock</c> (owner tracking on: the default) and waits for a <c>lock</c>;
/// the lock's holder spins for the <c>SpinLock</c>. Before: the spinner was shown as "waits in Thread.Sleep" (its
/// <c>SpinWait</c>'s back-off) and nothing was reported; the <c>SpinLock</c>'s <c>_owner</c> is the holder's managed
/// thread id, so it is a deadlock.</summary>
public sealed class SpinLockUnderLock : Scenario
{
    private static readonly object Orders = new();
    private static readonly Counter Stock = new();

    public override string Name => "spin-lock-under-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["spin-holder", "spinner"]],
        WaitKinds = ["SpinLock", "Monitor"],
        TextContains = "waits in SpinLock.Enter on",
    };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var spinning = 0;
        var holder = Run("spin-holder", () =>
        {
            var taken = false;
            Stock.Gate.Enter(ref taken);
            bothHold.SignalAndWait();
            lock (Orders)
            {
            }
        });
        var spinner = Run("spinner", () =>
        {
            lock (Orders)
            {
                bothHold.SignalAndWait();
                Volatile.Write(ref spinning, 1);
                var taken = false;
                Stock.Gate.Enter(ref taken);
            }
        });
        WaitUntil(() => Volatile.Read(ref spinning) == 1);
        WaitUntilBlocked(holder);
        Thread.Sleep(500);
        _ = spinner;
    }

    private sealed class Counter
    {
        // A class's field (not a static SpinLock: a struct, copied when read through a readonly static).
        public SpinLock Gate = new(enableThreadOwnerTracking: true);
    }
}
