namespace Brigade.Tests.Conformance;

public sealed class ThreadPoolEngineConformanceTests : EngineConformanceTests
{
    protected override Engine Engine => Engine.ThreadPool;
}
