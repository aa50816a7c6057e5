namespace Brigade.Processes.Tests.Lib54;

/// <summary>
/// Batches whose items together exceed the protocol's frame limit (lib54: a lazy input of 50 MB items let the adaptive
/// batch grow past 256 MB, and the whole run failed with a <see cref="ProtocolException"/> telling the caller to use
/// smaller batches, which no option of theirs controlled). The engine now halves such a batch and keeps the loop's later
/// batches that small; one item alone over the limit fails with its size and the limit, and the others run. The limit is
/// lowered here (an internal knob) so that kilobytes stand for the real case's hundreds of megabytes.
/// </summary>
public sealed class FrameLimitTests
{
    private const int Limit = 4_000;

    // null: the adaptive batch of the real case (it reaches the limit only when batches run fast, which a loaded machine
    // may not allow); 20 items (~10 KB) reach it on the first batch, whatever the load.
    [Theory]
    [InlineData(null)]
    [InlineData(20)]
    public async Task LazyInputOfLargeItems_BatchesSplitBelowTheLimit_OneOversizedItemFailsAlone(int? batchSize)
    {
        await using var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 1, ForwardWorkerOutput = false }) { MaxBatchFrameLength = Limit };

        // No count (a lazy sequence): the adaptive batch grows by doubling while batches are fast, to 16 items (~8 KB) and more.
        static IEnumerable<string> Items()
        {
            for (var i = 0; i < 80; i++)
            {
                yield return new string((char)('a' + (i % 26)), i == 37 ? 2 * Limit : 500);
            }
        }

        var result = await Runner.MapAsync(Items(), new TextLength(), new RunOptions { Engine = engine, BatchSize = batchSize }).WaitAsync(TimeSpan.FromMinutes(2));

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(37, failure.Index);
        Assert.IsType<InvalidDataException>(failure.Exception);
        Assert.Contains("bytes serialized", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("4,000 bytes", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(79, result.Report.Succeeded);
        for (var i = 0; i < 80; i++)
        {
            Assert.Equal(i == 37 ? ItemStatus.Failed : ItemStatus.Succeeded, result[i].Status);
            Assert.Equal(i == 37 ? 0 : 500, result[i].Value);
        }
    }
}

/// <summary>A string's length, in a worker process.</summary>
public sealed class TextLength : IWork<string, int>
{
    /// <inheritdoc/>
    public int Execute(string input) => input.Length;
}
