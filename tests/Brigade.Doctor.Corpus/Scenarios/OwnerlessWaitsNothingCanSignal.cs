namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 71 (a new user's three programs, one program here: each costs the suite a dump): three threads wait, with no
/// timeout, on what nothing left in the process can signal. <c>pulse-lost</c> waits in <c>Monitor.Wait</c> without a
/// condition loop on a gate whose only <c>Pulse</c> came (from a thread that has ended) before the wait began;
/// <c>mres-never-set</c> waits on a <c>ManualResetEventSlim</c> whose would-be setter ended without setting it;
/// <c>whenall-tcs</c> blocks in <c>Task.WhenAll(Task.Delay(10), source.Task).GetAwaiter().GetResult()</c> on a
/// <c>TaskCompletionSource</c> only it refers to. Each waited-on object is a local reachable only from its waiter's own
/// stack (no static, no other thread, no timer). Before: all three listed under "Other blocked threads", then "No
/// pitfall found", exit 0. Now one BRG1008 hang naming the three.
/// </summary>
public sealed class OwnerlessWaitsNothingCanSignal : Scenario
{
    public override string Name => "ownerless-waits-nothing-can-signal";

    public override Expectation Expected => new(Finding.OwnerlessHang)
    {
        Blocked = ["mres-never-set", "pulse-lost", "whenall-tcs"],
        TextContains = "Hang detected: 3 threads wait, with no timeout, on what no code left in the process can signal",
    };

    public override void Start()
    {
        // Each pair in a method of its own: lambdas of one method share one closure, which would make each waiter's stack
        // refer to the other's object.
        WaitUntilBlocked(LosePulse(), NeverSet(), Run("whenall-tcs", WaitForReply));
    }

    private static Thread LosePulse()
    {
        var gate = new object();
        var pulser = Run("pulse-sender", () => { lock (gate) { Monitor.Pulse(gate); } });
        pulser.Join();
        return Run("pulse-lost", () => { lock (gate) { Monitor.Wait(gate); } });
    }

    private static Thread NeverSet()
    {
        var loaded = new ManualResetEventSlim();
        var setter = Run("would-be-setter", () => { if (loaded.IsSet) { loaded.Set(); } });
        setter.Join();
        return Run("mres-never-set", () => loaded.Wait());
    }

    private static void WaitForReply()
    {
        var reply = new TaskCompletionSource<int>();
        Task.WhenAll(Task.Delay(10), reply.Task).GetAwaiter().GetResult();
    }
}
