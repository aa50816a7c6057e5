using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary>The demo's auto-mode scene in its JSON contract. A class of its own (its own test collection), as <see cref="AdviseUsersWorkTests"/>.</summary>
public sealed class AutoModeSceneTests
{
    // A hang check: the measured runs take their time from the machine's load (120 s was passed at load 63).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task DemoJson_AutoModeScene_HasAnAutoRunPerWorkload_WithPlanAndClass_BesideAHandPickedRun()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "auto-mode").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var scene = Assert.Single(doc.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("auto-mode", scene.GetProperty("id").GetString());
        var runs = scene.GetProperty("runs").EnumerateArray().ToList();
        var autoRuns = runs.Where(r => r.GetProperty("engine").GetString() == "auto").ToList();
        Assert.True(autoRuns.Count >= 10, $"{autoRuns.Count} auto runs");
        var classes = new HashSet<string> { "cpu-bound", "blocking", "async-io", "tiny", "mixed", "serialized" };
        foreach (var run in autoRuns)
        {
            var label = run.GetProperty("label").GetString()!;
            Assert.False(string.IsNullOrWhiteSpace(run.GetProperty("plan").GetString()));
            Assert.Contains(run.GetProperty("class").GetString()!, classes);
            Assert.Contains(runs, r => r.GetProperty("engine").GetString() != "auto" && r.GetProperty("label").GetString() == label);
        }

        Assert.All(runs.Where(r => r.GetProperty("engine").GetString() != "auto"), r => Assert.False(r.TryGetProperty("plan", out _)));
    }
}
