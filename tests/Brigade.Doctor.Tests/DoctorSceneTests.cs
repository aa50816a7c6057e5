using System.Text.Json;

namespace Brigade.Doctor.Tests;

public sealed class DoctorSceneTests
{
    [Fact]
    public async Task DemoJson_DoctorScene_ReportsDetectedDetectionMsAndEveryReport()
    {
        // In this host (Cli.InProcessAsync): what this checks is the scene's JSON, the same either way. As a process the demo
        // restarted itself with tiered compilation off (MeasuringProcess) and compiled the doctor and ClrMD fully optimized
        // again, which this host has compiled already for the corpus. The demo as a process is Brigade.Cli.Tests'
        // MeasuringProcessTests; doctor as a process, DoctorCliTests.
        var (code, stdout, stderr) = await Cli.InProcessAsync("demo", "--quick", "--json", "--only", "doctor");

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
