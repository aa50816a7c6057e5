using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 53: locks kept in collections, not arrays: a static <c>List&lt;object&gt;</c> of stripes, a static
/// <c>Dictionary&lt;string, object&gt;</c> of locks by name, and a service's own <c>ConcurrentDictionary&lt;int, object&gt;</c> of
/// per-customer locks; two pairs of threads take two of them in opposite orders. Review 52 named array elements only: these
/// read "a local of …" (whichever frame rooted the element), not <c>Locks[3]</c> or <c>_locks["orders"]</c>.
/// </summary>
public sealed class NewLockTableInCollections : Scenario
{
    private static readonly List<object> Locks = [new object(), new object(), new object(), new object()];
    private static readonly Dictionary<string, object> NamedLocks = new() { ["orders"] = new object(), ["invoices"] = new object() };

    public override string Name => "new-lock-table-in-collections";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["ship", "bill"], ["customer-7", "customer-9"]],
        WaitKinds = ["Monitor"],
        TextContains = "static field Brigade.Doctor.Corpus.Scenarios.NewLockTableInCollections.NamedLocks[\"orders\"]",
    };

    public override void Start()
    {
        var customers = new Customers();
        var allHold = new Barrier(4);
        var ship = Run("ship", () => Both(Locks[3], NamedLocks["orders"], allHold));
        var bill = Run("bill", () => Both(NamedLocks["orders"], Locks[3], allHold));
        var c7 = Run("customer-7", () => customers.Merge(7, 9, allHold));
        var c9 = Run("customer-9", () => customers.Merge(9, 7, allHold));
        WaitUntil(() => allHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(ship, bill, c7, c9);
    }

    private static void Both(object first, object second, Barrier allHold)
    {
        lock (first)
        {
            allHold.SignalAndWait();
            lock (second)
            {
                GC.KeepAlive(second);
            }
        }
    }

    private sealed class Customers
    {
        private readonly ConcurrentDictionary<int, object> _locks = new();

        public void Merge(int from, int into, Barrier allHold)
        {
            lock (_locks.GetOrAdd(from, _ => new object()))
            {
                allHold.SignalAndWait();
                lock (_locks.GetOrAdd(into, _ => new object()))
                {
                    GC.KeepAlive(this);
                }
            }
        }
    }
}
