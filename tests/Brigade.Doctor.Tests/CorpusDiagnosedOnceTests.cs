namespace Brigade.Doctor.Tests;

/// <summary>A corpus program is diagnosed once per test run, however many tests look at it (<see cref="CorpusFixture.DiagnoseAsync"/>).</summary>
public sealed class CorpusDiagnosedOnceTests
{
    [Fact]
    public async Task TwoTestsAskingForOneScenario_ShareOneDiagnosis()
    {
        var first = await CorpusFixture.DiagnoseAsync("twin-idle");
        var second = await CorpusFixture.DiagnoseAsync("twin-idle");

        Assert.True(first.Error is null, $"{first.Error}\n{first.ChildOutput}");
        Assert.Same(first, second);
    }
}
