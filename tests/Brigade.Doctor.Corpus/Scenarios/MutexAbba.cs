namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two threads take two <c>Mutex</c>es in opposite orders: a real deadlock the dump cannot prove (a Mutex's
/// owner is kept by the OS), so both are listed, each saying its Mutex has an owner the dump does not show.</summary>
public sealed class MutexAbba : Scenario
{
    private static readonly Mutex Orders = new();
    private static readonly Mutex Stock = new();

    public override string Name => "mutex-abba";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["orders-then-stock", "stock-then-orders"],
        WaitKinds = ["WaitHandle"],
        TextContains = "a Mutex is owned by the thread that acquired it, which the dump does not show",
    };

    public override void Start()
    {
        using var bothHold = new Barrier(2);
        var a = Run("orders-then-stock", () => { Orders.WaitOne(); bothHold.SignalAndWait(); Stock.WaitOne(); });
        var b = Run("stock-then-orders", () => { Stock.WaitOne(); bothHold.SignalAndWait(); Orders.WaitOne(); });
        WaitUntilBlocked(a, b);
    }
}
