using Brigade.ConformanceAdapters;
using Brigade.Testing.Conformance;

namespace Brigade.Processes.Tests;

/// <summary>The process engine against Brigade.Testing's conformance suite: one warm pool of two workers for every case.</summary>
public sealed class ProcessesConformanceTests(ProcessesConformanceTests.PoolFixture pool) : ConformanceTests, IClassFixture<ProcessesConformanceTests.PoolFixture>
{
    public static TheoryData<string> Cases
    {
        get
        {
            using var engine = TestEngines.Create();
            return Names(engine.Capabilities);
        }
    }

    protected override Engine CreateEngine() => pool.Engine;

    // Items run in the worker processes: they meet the cases through files.
    protected override ConformanceOptions Options => new() { Width = 2, Gates = ConformanceGates.Files };

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);

    public sealed class PoolFixture : IDisposable
    {
        public ProcessEngine Engine { get; } = TestEngines.Create();

        public void Dispose() => Engine.Dispose();
    }
}
