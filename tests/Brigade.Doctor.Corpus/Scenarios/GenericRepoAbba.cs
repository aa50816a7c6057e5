namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 72 (fresh71's generic-canon-name): an ABBA inside <c>Repo&lt;T&gt;.Save</c>, two repositories of
/// reference types saving into each other under their own lock. The method runs as shared code, whose type the runtime
/// names <c>Repo&lt;System.__Canon&gt;</c>: the report must name it as the source does (<c>Repo&lt;T&gt;.Save</c>).</summary>
public sealed class GenericRepoAbba : Scenario
{
    public override string Name => "generic-repo-abba";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["orders-first", "invoices-first"]], WaitKinds = ["Monitor"], TextContains = "Repo<T>.Save" };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        IStore orders = new Repo<Orders>(), invoices = new Repo<Invoices>();
        var a = Run("orders-first", () => orders.Save(() => { bothHold.SignalAndWait(); invoices.Save(() => { }); }));
        var b = Run("invoices-first", () => invoices.Save(() => { bothHold.SignalAndWait(); orders.Save(() => { }); }));
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(a, b);
    }

    private interface IStore
    {
        void Save(Action inner);
    }

    private sealed class Repo<T> : IStore
    {
        private readonly object _sync = new();

        public void Save(Action inner)
        {
            lock (_sync)
            {
                inner();
            }
        }
    }

    private sealed class Orders;

    private sealed class Invoices;
}
