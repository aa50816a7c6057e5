using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review48Insight;

/// <summary>
/// Review 48: whether "reuse the engine across runs" is advice the caller can act on was decided by the entry assembly's
/// name ("Brigade.Cli"): the tool's native front (Brigade.Cli.Native) and any renamed host gave it again after every short
/// run. The brigade command now says so itself (<see cref="LossBreakdown.CallerKeepsEngine"/>, set as it starts).
/// </summary>
[Collection(SettingsCollection.Name)]
public sealed class EngineReuseSettingTests
{
    // Two remote workers whose first batch started 150 ms into a 200 ms run: start-up is most of the gap.
    private static RunReport RemoteLateStart() => new()
    {
        Engine = "processes",
        DegreeOfParallelism = 2,
        Items = 100,
        Succeeded = 100,
        WallTime = Ms(200),
        WorkerCpuTime = Ms(100),
        ProcessCpuTime = Ms(100),
        Workers = [Worker(0), Worker(1)],
        Counters = new LossProbe(0, 0, 0),
    };

    private static WorkerReport Worker(int id) =>
        new(id, $"w{id}", $"pid {100 + id}", 5, 50, 0, Ms(50), null)
        {
            Timing = new WorkerTiming(Ms(150), Ms(190), Ms(200), 45, 5, TimeSpan.Zero, TimeSpan.Zero),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static string StartUpAdvice(RunLosses losses) =>
        Assert.Single(losses.Advice, a => a.StartsWith(LossText.Name(LossCause.StartUp), StringComparison.Ordinal));

    [Fact]
    public void TheCommandsSetting_NotTheEntryAssembly_DecidesTheAdvice()
    {
        // The test host is no brigade command by name; what the caller declares is what counts.
        Assert.True(LossBreakdown.CallerKeepsEngine, "a program keeps its engine unless it says otherwise");
        try
        {
            LossBreakdown.CallerKeepsEngine = false;
            var advice = StartUpAdvice(RemoteLateStart().Losses);
            Assert.DoesNotContain("reuse the engine", advice, StringComparison.Ordinal);
            Assert.Contains("give one invocation more items", advice, StringComparison.Ordinal);
        }
        finally
        {
            LossBreakdown.CallerKeepsEngine = true;
        }

        Assert.Contains("reuse the engine across runs", StartUpAdvice(RemoteLateStart().Losses), StringComparison.Ordinal);
    }

    [Fact]
    public void TheBrigadeCommand_SaysItCannotKeepItsEngine()
    {
        // Program.cs, compiled into the tool and its native front alike, declares it before any command runs.
        var program = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Brigade.Cli", "Program.cs"));
        Assert.Contains("LossBreakdown.CallerKeepsEngine = false;", program, StringComparison.Ordinal);
        Assert.DoesNotContain("GetEntryAssembly", File.ReadAllText(Path.Combine(RepoRoot(), "src", "Brigade", "Reporting", "LossBreakdown.cs")), StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Brigade.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository's root was not found above " + AppContext.BaseDirectory);
    }
}
