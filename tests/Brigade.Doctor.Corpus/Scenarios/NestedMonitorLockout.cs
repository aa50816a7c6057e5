namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Doctor67: nested monitor lockout. The waiter holds <c>Outer</c> and calls <c>Monitor.Wait(Inner)</c>, which lets go of
/// <c>Inner</c> only; the notifier takes <c>Outer</c> before it can take <c>Inner</c> and pulse. Read "No pitfall found"
/// with "if that thread is to pulse it, they deadlock". Beside it, the same with <c>Monitor.Wait(inner, timeout)</c>
/// (<c>timed-pulse-waiter</c>): that wait gives up, no cycle.
/// </summary>
public sealed class NestedMonitorLockout : Scenario
{
    private static readonly object Outer = new();
    private static readonly object Inner = new();
    private static readonly object TimedOuter = new();
    private static readonly object TimedInner = new();
    private static bool s_ready;

    public override string Name => "nested-monitor-lockout";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["pulse-waiter", "pulse-notifier"]],
        WaitKinds = ["Monitor", "MonitorWait"],
        TextContains = "unless other code pulses it, it is a deadlock (a nested monitor lockout)",
    };

    public override void Start()
    {
        var waiting = 0;
        var waiter = Run("pulse-waiter", () =>
        {
            lock (Outer)
            {
                lock (Inner)
                {
                    Volatile.Write(ref waiting, 1);
                    while (!s_ready)
                    {
                        Monitor.Wait(Inner);
                    }
                }
            }
        });
        WaitUntil(() => Volatile.Read(ref waiting) == 1);
        WaitUntilBlocked(waiter);
        var notifier = Run("pulse-notifier", () =>
        {
            lock (Outer)
            {
                lock (Inner)
                {
                    s_ready = true;
                    Monitor.PulseAll(Inner);
                }
            }
        });
        var timedWaiting = 0;
        var timedWaiter = Run("timed-pulse-waiter", () =>
        {
            lock (TimedOuter)
            {
                lock (TimedInner)
                {
                    Volatile.Write(ref timedWaiting, 1);
                    Monitor.Wait(TimedInner, TimeSpan.FromHours(1));
                }
            }
        });
        WaitUntil(() => Volatile.Read(ref timedWaiting) == 1);
        WaitUntilBlocked(timedWaiter);
        var timedNotifier = Run("timed-pulse-notifier", () =>
        {
            lock (TimedOuter)
            {
                lock (TimedInner)
                {
                    Monitor.Pulse(TimedInner);
                }
            }
        });
        WaitUntilBlocked(waiter, notifier, timedWaiter, timedNotifier);
    }
}
