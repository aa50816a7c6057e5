using Brigade.Auto;
using Brigade.ConformanceAdapters;
using Brigade.Engines;
using Brigade.Testing.Conformance;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// The built-in engines against Brigade.Testing's conformance suite. Engines that own threads (threads, auto) also
// check that none is left after a run: that count is process-wide, so they run in the serial collection.

public sealed class SequentialConformanceTests : ConformanceTests
{
    public static TheoryData<string> Cases => Names(Engine.Sequential.Capabilities);

    protected override Engine CreateEngine() => Engine.Sequential;

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}

public sealed class ThreadPoolConformanceTests : ConformanceTests
{
    public static TheoryData<string> Cases => Names(Engine.ThreadPool.Capabilities);

    protected override Engine CreateEngine() => Engine.ThreadPool;

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}

public sealed class AsyncConformanceTests : ConformanceTests
{
    public static TheoryData<string> Cases => Names(Engine.Async.Capabilities);

    protected override Engine CreateEngine() => Engine.Async;

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}

[Collection(SerialCollection.Name)]
public sealed class ThreadsConformanceTests : ConformanceTests
{
    public static TheoryData<string> Cases => Names(Engine.Threads.Capabilities);

    protected override Engine CreateEngine() => Engine.Threads;

    protected override ConformanceOptions Options => new() { LiveWorkers = () => WorkerGroup.LiveThreads };

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}

/// <summary>Auto mode as users get it (its defaults, the plan cache off so every case measures afresh).</summary>
[Collection(SerialCollection.Name)]
public sealed class AutoConformanceTests : ConformanceTests
{
    public static TheoryData<string> Cases => Names(Engine.Auto.Capabilities);

    protected override Engine CreateEngine() => Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });

    protected override ConformanceOptions Options => new() { LiveWorkers = () => Volatile.Read(ref AutoThreads.Live) };

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);
}
