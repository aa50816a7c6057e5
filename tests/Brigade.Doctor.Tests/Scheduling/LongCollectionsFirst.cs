using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Brigade.Doctor.Tests.Scheduling.LongCollectionsFirst", "Brigade.Doctor.Tests")]

namespace Brigade.Doctor.Tests.Scheduling;

/// <summary>
/// Starts the corpus first (<see cref="CorpusTests"/>: its fixture diagnoses every corpus program before any of its tests
/// runs), then this project's longest classes, then the others in xunit's default (random) order.
/// </summary>
/// <remarks>
/// xunit 2 runs as many collections at once as it has threads (one per core; 2.8 and later, the conservative algorithm),
/// in the orderer's order; its default orderer shuffles them on every run (a new Guid per collection). The corpus
/// fixture is most of this project's wall: ~100 programs started, dumped and diagnosed three at a time, 106 s of a 109 s
/// run (2 cores, load 13-20, 2026-12-05; the fixture's time is in no test's duration in a TRX file, its tests take
/// 0.0 s each once it is done). Drawn late, it ran alone at the end, after the other classes had shared both lanes;
/// drawn first, it runs beside them. The next ones were the longest classes by summed test time in that run
/// (DoctorDumpCliTests 28 s, PlainLockWatchTests 22 s, DoctorCliTests 19 s, ForeignProgramTests 13 s). A name that is
/// gone is ignored.
/// </remarks>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    private static readonly string[] First =
    [
        PerClass(typeof(CorpusTests)),
        PerClass(typeof(DoctorDumpCliTests)),
        PerClass(typeof(PlainLockWatchTests)),
        PerClass(typeof(DoctorCliTests)),
        PerClass(typeof(ForeignProgramTests)),
    ];

    private readonly DefaultTestCollectionOrderer _default = new();

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => Rank(c.DisplayName));

    // The name xunit gives the collection of a class that names none (CollectionBehavior.CollectionPerClass, the default).
    private static string PerClass(Type type) => $"Test collection for {type.FullName}";

    private static int Rank(string name) => Array.IndexOf(First, name) is var i and >= 0 ? i : First.Length;
}
