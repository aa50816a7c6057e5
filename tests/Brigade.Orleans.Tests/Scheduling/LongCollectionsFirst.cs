using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Brigade.Orleans.Tests.Scheduling.LongCollectionsFirst", "Brigade.Orleans.Tests")]

namespace Brigade.Orleans.Tests.Scheduling;

/// <summary>
/// Starts the two long serial collections first: "processes" (silos killed and cut off, one test at a time, about half of
/// this project's time) and "clients" (a silo of its own per test), then the other long ones, longest first, then the
/// others in xunit's default order.
/// </summary>
/// <remarks>
/// xunit 2 runs as many collections at once as it has threads (xunit.runner.json: two per core since suite72; one per core
/// before; 2.8 and later, the conservative algorithm), in the orderer's order; its default orderer shuffles them on every run (a new Guid per collection). So "processes"
/// started wherever the draw put it: at 174 s of 452 s in one run (2 cores, load 33), after "clients" and the in-process
/// cluster's collections, and then ran alone to the end (the wall was "clients" plus "processes"); at 3 s of 384 s in
/// another (load 25). Started first, "processes" runs beside "clients" (as <see cref="Deployment.ClientCollection"/>
/// was meant to: no silo of its is killed, no failover timed) and then beside the rest; its tests still run one at a time.
/// The other collections of more than ~25 s (summed test time, suite67: load 20 and 25-67) follow longest first, so
/// that what is left for the end is short: drawn last, one of them ran alone on one thread while the other had nothing
/// left (DeclaredDeadSiloTests 34 s, SiloStopBoundTests 50 s at load 20; xunit 2 gives no collection a thread that
/// another has finished with until that collection is done). The order changes no test: each collection runs as before,
/// its tests in the same order, beside whatever collection the other thread has.
/// </remarks>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    // xunit 2 names a class's own collection (a class without [Collection]) "Test collection for " and the class's full name.
    internal static readonly string[] First =
    [
        "processes",
        "clients",
        "cluster",                                              // ~32 conformance cases and the in-process cluster's tests
        ClassCollection(typeof(Review60Lead.SiloStopBoundTests)),   // 2 x the silo's 20 s stop bound, waited out
        ClassCollection(typeof(Review60Lead.DeclaredDeadSiloTests)), // waits until a frozen silo is declared dead
        ClassCollection(typeof(Deployment.MembershipOptionTests)),   // 18 tests, ~10 of them a `brigade` process each
        ClassCollection(typeof(Deployment.FailureDetectionOptionTests)),
        "review47-half-refusing",
        ClassCollection(typeof(Review58.ConnectTimeoutTests)),
    ];

    private readonly DefaultTestCollectionOrderer _default = new();

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => Rank(c.DisplayName));

    private static int Rank(string name) => Array.IndexOf(First, name) is var i and >= 0 ? i : First.Length;

    internal static string ClassCollection(Type type) => "Test collection for " + type.FullName;
}
