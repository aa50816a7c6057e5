namespace Brigade.Tests.Conformance;

public sealed class AsyncEngineConformanceTests : EngineConformanceTests
{
    protected override Engine Engine => Engine.Async;
}
