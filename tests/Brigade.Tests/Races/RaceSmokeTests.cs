using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Races;

[Collection(RaceCollection.Name)]
public sealed class RaceSmokeTests
{
    [Fact]
    public async Task TwoFlows_PlainIncrements_Reported()
    {
        var diagnostics = new PitfallDiagnostics();
        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        var counter = new Shared<int>("counter");
        void Add() { for (var i = 0; i < 100; i++) counter.Write(counter.Read() + 1); }
        var a = RaceDetector.Run(Add, "a");
        var b = RaceDetector.Run(Add, "b");
        await Task.WhenAll(a, b);
        var report = Assert.Single(diagnostics.Reports);
        Assert.StartsWith("Data race detected on 'counter'", report.Message, StringComparison.Ordinal);
        Assert.Equal("BRG1006", report.Code);
    }

    [Fact]
    public async Task TwoFlows_LockedIncrements_NotReported()
    {
        var diagnostics = new PitfallDiagnostics();
        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        var counter = new Shared<int>("counter");
        var gate = new DetectingLock(new LockOptions { Diagnostics = diagnostics });
        counter.Write(5);
        void Add() { for (var i = 0; i < 100; i++) { using (gate.Acquire()) { counter.Write(counter.Read() + 1); } } }
        var a = RaceDetector.Run(Add, "a");
        var b = RaceDetector.Run(Add, "b");
        await Task.WhenAll(a, b);
        RaceDetector.Joined(a, b);
        Assert.Equal(205, counter.Read());
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public async Task RunnerItems_WriteDistinctThenCallerReads_NotReported()
    {
        var diagnostics = new PitfallDiagnostics();
        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        RaceDetector.EnterFlow("test");
        var cells = Enumerable.Range(0, 50).Select(i => new Shared<int>($"cell{i}")).ToArray();
        var total = new Shared<int>("total");
        total.Write(0);
        foreach (var c in cells) { c.Write(1); }
        await Runner.ForEachAsync(Enumerable.Range(0, 50), i => cells[i].Write(cells[i].Read() + total.Read() + i), new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 4 });
        var sum = cells.Sum(c => c.Read());
        Assert.Equal(50 + (49 * 50 / 2), sum);
        Assert.Empty(diagnostics.Reports);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RaceCollection
{
    public const string Name = "race detector (process-wide)";
}
