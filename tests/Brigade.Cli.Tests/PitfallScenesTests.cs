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
    public async Task DemoJson_RaceLivelockExploration_ReportDetectedTheReportAndTheRaceCounts()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "race,livelock,exploration");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scenes = document.RootElement.GetProperty("scenes").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(["race", "livelock", "exploration"], scenes.Keys);

        var race = scenes["race"];
        Assert.True(race.GetProperty("detected").GetBoolean());
        Assert.StartsWith("Data race detected on 'counter'", race.GetProperty("report").GetString(), StringComparison.Ordinal);
        var runs = race.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(2_000_000, r.GetProperty("expected").GetInt64()));
        Assert.True(runs[0].GetProperty("observed").GetInt64() <= 2_000_000);
        Assert.Equal(2_000_000, runs[1].GetProperty("observed").GetInt64());
        var attempts = race.GetProperty("attempts").GetInt32();
        Assert.InRange(attempts, 1, 3);
        var lost = 2_000_000 - runs[0].GetProperty("observed").GetInt64();
        Assert.Contains(lost > 0 ? $"lost {lost:N0} of 2,000,000" : "happened to lose no increment", race.GetProperty("conclusion").GetString(), StringComparison.Ordinal);

        var livelock = scenes["livelock"];
        Assert.True(livelock.GetProperty("detected").GetBoolean());
        Assert.StartsWith("Livelock detected:", livelock.GetProperty("report").GetString(), StringComparison.Ordinal);

        var exploration = scenes["exploration"];
        Assert.True(exploration.GetProperty("detected").GetBoolean());
        Assert.Contains("replay it with seed pct:", exploration.GetProperty("report").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaceScene_WhenNoUpdateIsLost_RetriesABoundedNumberOfTimes_ThenSaysSo_NeverClaimingLosses()
    {
        // Regression: a run whose two loops did not interleave printed "2,000,000 instead of 2,000,000: 0 updates lost"
        // and concluded "the two threads lost 0 of 2,000,000 increments". Here the loops never interleave (one thread).
        var calls = 0;
        var scene = new Brigade.Cli.Demo.Scenes.RaceScene(1_000, async (perFlow, increment) =>
        {
            calls++;
            for (var i = 0; i < 2 * perFlow; i++)
            {
                increment();
            }

            await Task.Yield();
            return (TimeSpan.Zero, TimeSpan.Zero);
        });
        using var live = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(live) });

        var result = await scene.RunAsync(new Brigade.Cli.Demo.DemoContext(quick: true, json: false, console), CancellationToken.None);

        Assert.Equal(Brigade.Cli.Demo.Scenes.RaceScene.MaxAttempts, calls);
        Assert.Equal(Brigade.Cli.Demo.Scenes.RaceScene.MaxAttempts, result.Attempts);
        Assert.Equal(2_000, result.Runs[0].Observed);
        Assert.Contains("happened to lose no increment in 3 attempts", result.Conclusion, StringComparison.Ordinal);
        Assert.DoesNotContain("lost 0", result.Conclusion, StringComparison.Ordinal);
        Assert.DoesNotContain("updates lost", live.ToString(), StringComparison.Ordinal);
        Assert.Contains("no update was lost in 3 attempts", live.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoList_NamesThePitfallScenes()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("demo", "--list");

        Assert.Equal(0, code);
        foreach (var id in new[] { "deadlock", "lock-order", "starvation", "threadpool-starvation", "race", "livelock", "exploration" })
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }
    }
}
