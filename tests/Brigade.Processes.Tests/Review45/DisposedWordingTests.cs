namespace Brigade.Processes.Tests.Review45;

/// <summary>
/// Review 45 (left by review 44): a worker pool disposed under a run threw the plain "Cannot access a disposed object"
/// where the run itself said "The process engine was disposed during the run.": one wording now, wherever it is noticed.
/// </summary>
public sealed class DisposedWordingTests
{
    [Fact(Timeout = 30_000)]
    public async Task PoolDisposedUnderARun_SaysDisposedDuringTheRun_WhereverItNotices()
    {
        var engine = TestEngines.Create();
        engine.Dispose();

        var acquired = Assert.Throws<ObjectDisposedException>(() => engine.Pool.Acquire(null!, "/nowhere/work.dll", "work", out _, CancellationToken.None));
        var ahead = await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.Pool.StartAhead(null!, "/nowhere/work.dll", "work", CancellationToken.None)!);

        Assert.StartsWith("The process engine was disposed during the run.", acquired.Message, StringComparison.Ordinal);
        Assert.StartsWith("The process engine was disposed during the run.", ahead.Message, StringComparison.Ordinal);
    }
}
