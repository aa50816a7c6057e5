using Brigade.ConformanceAdapters;
using Brigade.Testing.Conformance;

namespace Brigade.Orleans.Tests;

/// <summary>The cluster engine against Brigade.Testing's conformance suite, on the in-process two-silo test cluster.</summary>
[Collection("cluster")]
public sealed class ClusterConformanceTests(ClusterFixture fixture) : ConformanceTests
{
    public static TheoryData<string> Cases => Names(EngineCapabilities.CrashContainment);

    protected override Engine CreateEngine() => fixture.Engine;

    // The silos run in this process: the cases meet their items in memory.
    protected override ConformanceOptions Options => new() { Gates = ConformanceGates.InMemory };

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}
