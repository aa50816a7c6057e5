using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Brigade.Orleans.Tests.Scheduling.LongCollectionsFirst", "Brigade.Orleans.Tests")]

namespace Brigade.Orleans.Tests.Scheduling;

/// <summary>
/// Starts the two long serial collections first: "processes" (silos killed and cut off, one test at a time, about half of
/// this project's time) and "clients" (a silo of its own per test), then the others in xunit's default order.
/// </summary>
/// <remarks>
/// xunit 2 runs as many collections at once as it has threads (one per core; 2.8 and later, the conservative algorithm),
/// in the orderer's order; its default orderer shuffles them on every run (a new Guid per collection). So "processes"
/// started wherever the draw put it: at 174 s of 452 s in one run (2 cores, load 33), after "clients" and the in-process
/// cluster's collections, and then ran alone to the end (the wall was "clients" plus "processes"); at 3 s of 384 s in
/// another (load 25). Started first, "processes" runs beside "clients" (as <see cref="Deployment.ClientCollection"/>
/// was meant to: no silo of its is killed, no failover timed) and then beside the rest; its tests still run one at a time.
/// </remarks>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    private static readonly string[] First = ["processes", "clients"];

    private readonly DefaultTestCollectionOrderer _default = new();

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => Rank(c.DisplayName));

    private static int Rank(string name) => Array.IndexOf(First, name) is var i and >= 0 ? i : First.Length;
}
