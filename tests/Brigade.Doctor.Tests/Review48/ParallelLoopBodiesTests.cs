namespace Brigade.Doctor.Tests.Review48;

/// <summary>Review 48 (left by review 47): the bodies of one <c>Parallel.ForEach</c>, all waiting for an item the loop cannot start,
/// were listed one by one. (The corpus fixture's one diagnosis of the program: no dump of its own.)</summary>
public sealed class ParallelLoopBodiesTests
{
    [Fact]
    public async Task BodiesOfOneParallelForEach_AreTiedToTheLoop()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("parallel-foreach-bodies-wait-for-later-item");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains(" run bodies (", StringComparison.Ordinal));
        Assert.Contains("thread 'batch' (#", line, StringComparison.Ordinal);
        Assert.Contains("pool thread #", line, StringComparison.Ordinal);
        Assert.Contains("of one Parallel.ForEach, called in Brigade.Doctor.Corpus.Scenarios.ParallelForEachBodiesWaitForLaterItem", line, StringComparison.Ordinal);
        Assert.Contains("items not started yet start only when one of these ends", line, StringComparison.Ordinal);
        Assert.False(outcome.Diagnosis.HasPitfalls, text);
        Assert.Contains(outcome.Diagnosis.BlockedWithoutOwner, t => t.Name == "batch" && t.Wait!.Kind == WaitKind.ManualResetEventSlim);
    }
}
