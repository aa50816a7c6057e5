namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two threads take two <c>Mutex</c>es in opposite orders: a real deadlock whose owners the dump does not hold (a
/// Mutex's owner is kept by the runtime's native wait subsystem).</summary>
/// <remarks>Review 66: both threads were listed, each Mutex "owned by the thread that acquired it, which the dump does not
/// show", and the report read "No pitfall found". The owners are now read from each holder's code (a frame on its stack
/// called <c>WaitOne()</c> on this very Mutex before the call it is in, with no <c>ReleaseMutex</c> since): a possible
/// cycle. Beside it (in this program, not one of its own: each program costs the suite a dump), a Mutex held by a thread
/// that waits for a lock whose holder waits for that Mutex (<c>journal-owner</c>, <c>journal-writer</c>): the same.</remarks>
public sealed class MutexAbba : Scenario
{
    private static readonly Mutex Orders = new();
    private static readonly Mutex Stock = new();
    private static readonly Mutex Journal = new();
    private static readonly object JournalGate = new();
    private static volatile bool s_ownerGoesToLock;

    public override string Name => "mutex-abba";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["orders-then-stock", "stock-then-orders"], ["journal-owner", "journal-writer"]],
        WaitKinds = ["Monitor", "WaitHandle"],
        TextContains = "unless a Mutex was released by code the dump does not show",
    };

    public override void Start()
    {
        using var bothHold = new Barrier(2);
        var a = Run("orders-then-stock", () => { Orders.WaitOne(); bothHold.SignalAndWait(); Stock.WaitOne(); });
        var b = Run("stock-then-orders", () => { Stock.WaitOne(); bothHold.SignalAndWait(); Orders.WaitOne(); });

        var ownerHolds = new ManualResetEventSlim();
        var writerHolds = new ManualResetEventSlim();
        var owner = Run("journal-owner", () =>
        {
            Journal.WaitOne();
            ownerHolds.Set();
            writerHolds.Wait();
            s_ownerGoesToLock = true;
            lock (JournalGate)
            {
                Journal.ReleaseMutex();
            }
        });
        ownerHolds.Wait();
        var writer = Run("journal-writer", () =>
        {
            lock (JournalGate)
            {
                writerHolds.Set();
                Journal.WaitOne(); // journal-owner holds it, and waits for this lock
            }
        });
        WaitUntil(() => s_ownerGoesToLock);
        WaitUntilBlocked(a, b, owner, writer);
    }
}
