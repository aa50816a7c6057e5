using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review66Lib;

/// <summary>
/// lib66: an exception with a huge message (a 10 MB payload echoed into it) was copied whole into every message Brigade
/// built around it: <see cref="RunFailedException"/> from <c>RunResult.Values</c> lists five failures, so ten items
/// throwing 10 MB messages gave a 50,000,164-character message; <see cref="SourceFailedException"/> 10 MB; and a
/// map-reduce whose combiner refused a partial with a 10 MB message charged each item of the fold with a message holding
/// it (22,540 failures, 1.1 GB allocated, 1.6 GB peak). Those messages now quote the cause's first 500 characters and say
/// how long it was; the whole exception stays on <see cref="ItemFailure.Exception"/> and <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class HugeMessageTests
{
    private const int Huge = 1_000_000;
    private const int Bound = 10_000;

    [Fact(Timeout = 60_000)]
    public async Task Values_ItemsThrewHugeMessages_RunFailedExceptionMessageIsBounded()
    {
        var big = new string('x', Huge);
        var options = new RunOptions { Engine = Engine.Sequential };
        var result = await Runner.MapAsync(Enumerable.Range(0, 10), i => i % 2 == 1 ? throw new FormatException(big) : i, options).Bounded();

        var e = Assert.Throws<RunFailedException>(() => result.Values);
        Assert.True(e.Message.Length < Bound, $"message of {e.Message.Length:N0} characters");
        Assert.StartsWith("5 of 10 items failed; item 1: FormatException: xxx", e.Message, StringComparison.Ordinal);
        Assert.Contains($"({Huge:N0} characters)", e.Message, StringComparison.Ordinal);
        Assert.Contains("item 9: FormatException", e.Message, StringComparison.Ordinal);
        Assert.Equal(Huge, e.Failures[0].Exception.Message.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task SourceThrowsHugeMessage_SourceFailedExceptionMessageIsBounded()
    {
        var big = new string('z', Huge);
        var e = await Assert.ThrowsAsync<SourceFailedException>(
            () => Runner.MapAsync(Enumerable.Range(0, 100).Select(i => i == 10 ? throw new IOException(big) : i), i => i, new RunOptions { Engine = Engine.Sequential }).Bounded());

        Assert.True(e.Message.Length < Bound, $"message of {e.Message.Length:N0} characters");
        Assert.StartsWith("The input sequence threw after 10 items were read: IOException: zzz", e.Message, StringComparison.Ordinal);
        Assert.Equal(Huge, e.InnerException!.Message.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task CombinerRefusesAFoldWithHugeMessage_EachChargedItemsMessageIsBounded()
    {
        var refusal = new InvalidOperationException(new string('y', Huge));
        List<int> Concat(List<int> a, List<int> b)
        {
            if (b.Contains(100))
            {
                throw refusal;
            }

            a.AddRange(b);
            return a;
        }

        var options = new RunOptions { Engine = Engine.Sequential, BatchSize = 50 };
        var result = await Runner.MapReduceAsync(Enumerable.Range(0, 200).ToArray(), i => new List<int> { i }, Concat, options).Bounded();

        Assert.Equal(50, result.Report.Failures.Count);
        foreach (var failure in result.Report.Failures)
        {
            Assert.Same(refusal, failure.Exception.InnerException);
            Assert.True(failure.Exception.Message.Length < Bound, $"item {failure.Index}: message of {failure.Exception.Message.Length:N0} characters");
            Assert.Contains("folded with items 100 to 149", failure.Exception.Message, StringComparison.Ordinal);
        }
    }
}
