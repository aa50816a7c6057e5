namespace Brigade.Tests.Conformance;

public sealed class SequentialEngineConformanceTests : EngineConformanceTests
{
    protected override Engine Engine => Engine.Sequential;

    protected override bool IsSingleWorker => true;
}
