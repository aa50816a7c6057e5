using System.Text.Json;

namespace Brigade.Doctor.Tests;

public sealed class DoctorSceneTests
{
    [Fact]
    public async Task DemoJson_DoctorScene_ReportsDetectedDetectionMsAndEveryReport()
    {
        var (code, stdout, stderr) = await Cli.RunAsync("demo", "--quick", "--json", "--only", "doctor");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scene = Assert.Single(document.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("doctor", scene.GetProperty("id").GetString());
        Assert.True(scene.GetProperty("detected").GetBoolean());
        Assert.True(scene.GetProperty("detectionMs").GetDouble() > 0);
        var report = scene.GetProperty("report").GetString()!;
        Assert.StartsWith("Deadlock detected:", report, StringComparison.Ordinal);
        Assert.Contains("thread 'transfer-1'", report, StringComparison.Ordinal);
        Assert.Contains("Thread-pool starvation detected:", report, StringComparison.Ordinal);
        Assert.Contains("Ledger._journal", report, StringComparison.Ordinal);
        Assert.Contains("Ledger._balances", report, StringComparison.Ordinal);
        var conclusion = scene.GetProperty("conclusion").GetString();
        Assert.Contains("a possible deadlock of 2 async flows", conclusion, StringComparison.Ordinal);
        Assert.Contains("left running", conclusion, StringComparison.Ordinal);
    }
}
