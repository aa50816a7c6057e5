using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary>The demo's <c>commands</c> scene: brigade run's commands under a cold auto mode.</summary>
public sealed class CommandsSceneTests
{
    [Fact(Timeout = 120_000)]
    public async Task DemoJson_Commands_RunsTheSleepsAndTheComputingCommands()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "commands");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scene = Assert.Single(document.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("commands", scene.GetProperty("id").GetString());
        if (scene.GetProperty("conclusion").GetString()!.StartsWith("Skipped", StringComparison.Ordinal))
        {
            Assert.False(OperatingSystem.IsLinux() && Brigade.Cli.Run.ExecSpawner.IsAvailable, "skipped where commands' clocks can be read");
            return;
        }

        var runs = scene.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("label").GetString()!);
        Assert.Equal(["auto, 16 × sleep 0.5", "threads ×16, 16 × sleep 0.5", $"auto, {4 * Environment.ProcessorCount} × awk loop"], runs.Keys);

        // Both runs complete (no failed command). (How fast depends on the machine's load, which the
        // test host's other tests drive: the one-wave behaviour itself is RunAutoTests.Run_Auto_LongSleepingCommands_OverlapInOneWave.)
        var sleeps = runs["auto, 16 × sleep 0.5"];
        Assert.Equal(16, sleeps.GetProperty("items").GetInt64());
        Assert.Equal(0, sleeps.GetProperty("failed").GetInt64());

        var computing = runs[$"auto, {4 * Environment.ProcessorCount} × awk loop"];
        Assert.Equal(4 * Environment.ProcessorCount, computing.GetProperty("items").GetInt64());
        Assert.Equal(0, computing.GetProperty("failed").GetInt64());
        Assert.Contains("at once", scene.GetProperty("conclusion").GetString(), StringComparison.Ordinal);

        // Review 70: every auto run carries `plan` and `class` (README: "runs with engine `auto`"), here as in the auto-mode
        // scene (before, only that scene's records had them); the threads run has neither.
        var classes = new HashSet<string> { "cpu-bound", "blocking", "async-io", "tiny", "mixed", "serialized", "unknown" };
        foreach (var run in runs.Values)
        {
            var label = run.GetProperty("label").GetString();
            if (run.GetProperty("engine").GetString() == "auto")
            {
                Assert.True(run.TryGetProperty("plan", out var plan) && !string.IsNullOrWhiteSpace(plan.GetString()), $"{label}: no plan");
                Assert.True(run.TryGetProperty("class", out var cls) && classes.Contains(cls.GetString()!), $"{label}: no class");
            }
            else
            {
                Assert.False(run.TryGetProperty("plan", out _), $"{label}: a plan");
                Assert.False(run.TryGetProperty("class", out _), $"{label}: a class");
            }
        }

        // 16 sleeps on auto's lanes (64 on most machines): brigade run gives no "why not faster" for fewer items than
        // workers, nor does the demo (it read "brigade run exec:sleep {} (auto ×64): ... imbalance 91% ... use fewer
        // workers"). A run the scene explains is named by its label in the runs.
        if (scene.TryGetProperty("whyNotFaster", out var why))
        {
            var explained = Assert.Single(runs.Keys, k => why.GetString()!.StartsWith(k + " (", StringComparison.Ordinal));
            var run = runs[explained];
            Assert.True(run.GetProperty("items").GetInt64() >= run.GetProperty("workers").GetInt64(), $"{why.GetString()}: fewer items than workers");
        }
    }
}
