namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread waits on an <c>AutoResetEvent</c> (a kernel wait handle) nobody sets.</summary>
/// <remarks>Review 66 (in this program, not one of its own: each program costs the suite a dump): beside it, kernel waits
/// under a lock whose only signaller takes that lock first, each of which read "No pitfall found" with "if that thread is
/// to signal it, they deadlock": <c>WaitHandle.WaitAny(handles)</c> (<c>any-owner</c>, its loader sets one of them),
/// <c>WaitHandle.WaitAll(handles)</c> (<c>all-owner</c>, its loader sets both) and a kernel <c>Semaphore</c>'s
/// <c>WaitOne()</c> (<c>slot-waiter</c>, its giver calls <c>Release</c>). Each is now a possible cycle. And a
/// <c>WaitAny(handles, timeout)</c> under the same kind of lock (<c>timed-any-owner</c>): that wait gives up, no cycle.</remarks>
public sealed class AutoResetEventWait : Scenario
{
    private static readonly AutoResetEvent Signal = new(false);
    private static readonly object AnyGate = new();
    private static readonly ManualResetEvent Priced = new(false);
    private static readonly AutoResetEvent Packed = new(false);
    private static readonly object AllGate = new();
    private static readonly ManualResetEvent Labelled = new(false);
    private static readonly ManualResetEvent Weighed = new(false);
    private static readonly object SlotGate = new();
    private static readonly Semaphore Slots = new(0, 1);
    private static readonly object TimedGate = new();
    private static readonly AutoResetEvent TimedSignal = new(false);

    public override string Name => "waithandle-wait";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["any-owner", "any-loader"], ["all-owner", "all-loader"], ["slot-waiter", "slot-giver"]],
        WaitKinds = ["Monitor", "WaitHandle"],
    };

    public override void Start()
    {
        // Each pair written out, as a program would: the doctor reads the signaller's own code after its lock.
        var waiter = Run("handle-waiter", () => Signal.WaitOne());
        var holds = new ManualResetEventSlim();
        var anyOwner = Run("any-owner", () => { lock (AnyGate) { holds.Set(); WaitHandle.WaitAny([Priced, Packed]); } });
        holds.Wait();
        var anyLoader = Run("any-loader", () => { lock (AnyGate) { Packed.Set(); } });

        holds.Reset();
        var allOwner = Run("all-owner", () => { lock (AllGate) { holds.Set(); WaitHandle.WaitAll([Labelled, Weighed]); } });
        holds.Wait();
        var allLoader = Run("all-loader", () => { lock (AllGate) { Labelled.Set(); Weighed.Set(); } });

        holds.Reset();
        var slotWaiter = Run("slot-waiter", () => { lock (SlotGate) { holds.Set(); Slots.WaitOne(); } });
        holds.Wait();
        var slotGiver = Run("slot-giver", () => { lock (SlotGate) { Slots.Release(); } });

        holds.Reset();
        var timedOwner = Run("timed-any-owner", () => { lock (TimedGate) { holds.Set(); WaitHandle.WaitAny([TimedSignal], TimeSpan.FromHours(1)); } });
        holds.Wait();
        var timedLoader = Run("timed-any-loader", () => { lock (TimedGate) { TimedSignal.Set(); } });
        WaitUntilBlocked(waiter, anyOwner, anyLoader, allOwner, allLoader, slotWaiter, slotGiver, timedOwner, timedLoader);
    }
}
