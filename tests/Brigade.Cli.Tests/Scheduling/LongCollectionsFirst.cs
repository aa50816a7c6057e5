using Brigade.Cli.Tests.DemoScenes;
using Brigade.Cli.Tests.Engines;
using Brigade.Cli.Tests.FaultInjection;
using Brigade.Cli.Tests.Run;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Brigade.Cli.Tests.Scheduling.LongCollectionsFirst", "Brigade.Cli.Tests")]

namespace Brigade.Cli.Tests.Scheduling;

/// <summary>
/// Starts this project's longest collections first, longest first, then the others in xunit's default (random) order, so
/// that the project ends with short collections on both lanes instead of one long one on a lane of its own.
/// </summary>
/// <remarks>
/// xunit 2 runs as many collections at once as it has threads (one per core by default, two per core here since
/// 2026-12-05: xunit.runner.json; 2.8 and later, the conservative algorithm),
/// in the orderer's order; its default orderer shuffles them on every run (a new Guid per collection). Here two lanes are
/// busy to the end (629 tests, 88 collections, the tests' durations summed about twice the wall), so the wall is about
/// half the sum plus whatever is left on one lane when the other runs dry: up to half the longest collection when it
/// happens to be drawn last. Measured 2026-12-04 at load 30-36 (2 cores), summed test durations: the fault-injection
/// collection 181 s, RunStderrTests 131 s, RunHostileUseTests 87 s, AddAnEngineTests 69 s, AutoModeSceneTests 65 s,
/// AutoModeCliTests 64 s, AnalyzersSceneTests 50 s, AdviseUsersWorkTests 49 s; every other collection 45 s or less, of
/// 1,420 s in all. A collection not named here keeps its random place; a name that is gone is ignored.
/// </remarks>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    private static readonly string[] First =
    [
        nameof(FaultInjectionCollection),
        PerClass(typeof(RunStderrTests)),
        PerClass(typeof(RunHostileUseTests)),
        PerClass(typeof(AddAnEngineTests)),
        PerClass(typeof(AutoModeSceneTests)),
        PerClass(typeof(AutoModeCliTests)),
        PerClass(typeof(AnalyzersSceneTests)),
        PerClass(typeof(AdviseUsersWorkTests)),
    ];

    private readonly DefaultTestCollectionOrderer _default = new();

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => Rank(c.DisplayName));

    // The name xunit gives the collection of a class that names none (CollectionBehavior.CollectionPerClass, the default).
    private static string PerClass(Type type) => $"Test collection for {type.FullName}";

    private static int Rank(string name) => Array.IndexOf(First, name) is var i and >= 0 ? i : First.Length;
}
