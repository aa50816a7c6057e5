using System.Text.Json;

namespace Brigade.Cli.Tests;

public sealed class PitfallScenesTests
{
    [Fact]
    public async Task DemoJson_PitfallScenes_ReportDetectedDetectionMsAndTheReportText()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "deadlock,lock-order,starvation");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scenes = document.RootElement.GetProperty("scenes").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(["deadlock", "lock-order", "starvation"], scenes.Keys);

        var deadlock = scenes["deadlock"];
        Assert.True(deadlock.GetProperty("detected").GetBoolean());
        Assert.True(deadlock.GetProperty("detectionMs").GetDouble() > 0);
        Assert.StartsWith("Deadlock detected:", deadlock.GetProperty("report").GetString(), StringComparison.Ordinal);

        var lockOrder = scenes["lock-order"];
        Assert.True(lockOrder.GetProperty("detected").GetBoolean());
        Assert.False(lockOrder.TryGetProperty("detectionMs", out _));   // does not apply: null fields are omitted
        Assert.StartsWith("Potential deadlock (lock-order inversion):", lockOrder.GetProperty("report").GetString(), StringComparison.Ordinal);

        var starvation = scenes["starvation"];
        Assert.True(starvation.GetProperty("detected").GetBoolean());
        Assert.True(starvation.GetProperty("detectionMs").GetDouble() >= 200);
        Assert.StartsWith("Starvation detected:", starvation.GetProperty("report").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoList_NamesThePitfallScenes()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("demo", "--list");

        Assert.Equal(0, code);
        foreach (var id in new[] { "deadlock", "lock-order", "starvation", "threadpool-starvation" })
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }
    }
}
