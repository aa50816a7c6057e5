using System.Text.Json;

namespace Brigade.Cli.Tests.DemoScenes;

/// <summary>The demo's <c>plain-lock-watch</c> scene: a plain <c>lock</c> deadlock in a child process, reported live by <c>PlainLockWatch</c>.</summary>
public sealed class PlainLockWatchSceneTests
{
    [Fact]
    public async Task DemoJson_PlainLockWatchScene_ReportsTheCycleAfterTheThreshold()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "plain-lock-watch");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scene = Assert.Single(document.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("plain-lock-watch", scene.GetProperty("id").GetString());
        Assert.True(scene.GetProperty("detected").GetBoolean(), scene.GetProperty("conclusion").GetString());

        // Not before the watch's 1 s threshold (the latency itself is measured in docs/performance.md).
        Assert.InRange(scene.GetProperty("detectionMs").GetDouble(), 1000, 60_000);
        var report = scene.GetProperty("report").GetString()!;
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor)", report, StringComparison.Ordinal);
        Assert.Contains("thread 'transfer-1'", report, StringComparison.Ordinal);
        Assert.Contains("thread 'transfer-2'", report, StringComparison.Ordinal);
        Assert.Contains("kept running", scene.GetProperty("conclusion").GetString(), StringComparison.Ordinal);
    }
}
