using Brigade.Engines;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

/// <summary>The threads engine owns its threads, so these tests also check that none is left alive after a run.</summary>
/// <remarks>The live-thread count is process-wide: the serial collection keeps other runs from changing it meanwhile.</remarks>
[Collection(SerialCollection.Name)]
public sealed class ThreadsEngineConformanceTests : EngineConformanceTests
{
    protected override Engine Engine => Engine.Threads;

    protected override int LiveWorkerThreads => DedicatedThreadsEngine.LiveThreads;
}
