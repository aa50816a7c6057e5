using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Testing.Tests.Corpus;

/// <summary>
/// The labelled corpus against its verdicts: the race detector reports every racy program and none of the others (on
/// real threads); exploration finds every seeded bug within its default budget, and its seed replays it.
/// </summary>
public sealed class CorpusTests
{
    /// <summary>Seeds are fixed so the suite is deterministic; exploration itself is deterministic given a seed.</summary>
    private const int Seed = 20_261_125;

    public static TheoryData<string> AllPrograms => [.. Programs.All.Select(p => p.Name)];

    public static TheoryData<string> SeededBugs => [.. Programs.All.Where(p => p.Verdict != Verdict.Correct && !p.RealOnly).Select(p => p.Name)];

    public static TheoryData<string> CorrectExplorable => [.. Programs.All.Where(p => p.Verdict == Verdict.Correct && !p.RealOnly).Select(p => p.Name)];

    [Fact]
    public void TheCorpus_HasAtLeastFortyLabelledPrograms_BothRacyAndRaceFree()
    {
        Assert.True(Programs.All.Count >= 40, $"{Programs.All.Count} programs");
        Assert.True(Programs.All.Count(p => p.Verdict == Verdict.Racy) >= 15);
        Assert.True(Programs.All.Count(p => p.Verdict != Verdict.Racy) >= 15);
        Assert.Equal(Programs.All.Count, Programs.All.Select(p => p.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllPrograms))]
    public async Task RaceDetector_OnRealThreads_ReportsExactlyTheRacyPrograms(string name)
    {
        var program = Programs.All.Single(p => p.Name == name);
        var races = new PitfallDiagnostics();
        var locks = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        var par = new RealPar(locks);
        using (RaceDetector.Start(new RaceDetectorOptions { Diagnostics = races }))
        {
            var main = RaceDetector.Run(() => program.Body(par), "main");
            await Task.WhenAny(main, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(main.IsCompleted, "the program finished");
        }

        var reports = races.Reports.OfType<RaceReport>().ToList();
        if (program.Verdict == Verdict.Racy)
        {
            Assert.True(reports.Count > 0, $"{name}: racy, but no race was reported");
            Assert.All(reports, r => Assert.StartsWith("Data race detected on '", r.Message, StringComparison.Ordinal));
        }
        else
        {
            Assert.True(reports.Count == 0, $"{name}: race-free, but reported:\n{string.Join("\n", reports.Select(r => r.Message))}");
        }
    }

    [Theory]
    [MemberData(nameof(SeededBugs))]
    public void Exploration_FindsTheSeededBug_WithinTheDefaultBudget_AndItsSeedReplaysIt(string name)
    {
        var program = Programs.All.Single(p => p.Name == name);
        void Test(ExplorationContext context) => program.Body(new ExploredPar(context));

        var result = Explorer.Explore(Test, new ExplorationOptions { Seed = Seed });

        Assert.True(result.BugFound, $"{name}: no bug in {result.SchedulesExplored} schedules");
        Assert.Equal(Expected(program.Verdict), result.Bug!.Kind);

        var replay = Explorer.Replay(Test, result.Bug.ReplaySeed);
        Assert.True(replay.BugFound, $"{name}: the replay of {result.Bug.ReplaySeed} found nothing");
        Assert.Equal(result.Bug.Kind, replay.Bug!.Kind);
        Assert.Equal(result.Bug.Steps, replay.Bug.Steps);
    }

    [Theory]
    [MemberData(nameof(CorrectExplorable))]
    public void Exploration_OfACorrectProgram_FindsNothing(string name)
    {
        var program = Programs.All.Single(p => p.Name == name);
        var result = Explorer.Explore(context => program.Body(new ExploredPar(context)), new ExplorationOptions { Seed = Seed, Schedules = 100 });
        Assert.False(result.BugFound, result.ToString());
    }

    private static ExplorationBugKind Expected(Verdict verdict) => verdict switch
    {
        Verdict.Racy => ExplorationBugKind.DataRace,
        Verdict.Deadlock => ExplorationBugKind.Deadlock,
        Verdict.Livelock => ExplorationBugKind.Livelock,
        _ => ExplorationBugKind.AssertionFailure,
    };
}
