using Brigade.Tests.Infrastructure;
using Brigade.Tests.Review29a;

namespace Brigade.Tests.Review62;

/// <summary>
/// A map-reduce whose combiner fails on one item's value (lib61, review 62): with <c>checked(a + b)</c> and one value of
/// <see cref="long.MaxValue"/>, <c>BatchSize = 50</c> reported all 50 items of that item's batch as failed and left 49
/// good values out of <see cref="ReduceResult{T}.PartialValue"/>, where <c>BatchSize = 1</c> reported the one item. The
/// batch's own fold started from that value (every later item's combine failed with it), and the merge of a batch's
/// partial that the combiner refused charged every item the partial held. A result must not depend on the batching:
/// the failing item alone is charged, as in a left fold item by item.
/// </summary>
public sealed class ReduceFailureChargesOneItemTests
{
    private const int Count = 200;

    public static TheoryData<string, int, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (var engine in new[] { "sequential", "threadpool", "threads" })
            {
                foreach (var batch in new[] { 1, 7, 50 })
                {
                    data.Add(engine, batch, 100); // the first item of a batch of 50
                    data.Add(engine, batch, 125); // the middle of a batch of 50
                }
            }

            return data;
        }
    }

    private static long Add(long a, long b) => checked(a + b);

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task OneValueOverflowsEveryCombine_OnlyThatItemIsCharged_WhateverTheBatchSize(string engine, int batchSize, int poison)
    {
        // Every combine that involves long.MaxValue overflows, whichever side it is on: only the poison item can fail.
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = batchSize, MaxDegreeOfParallelism = 3 };

        var result = await Runner.MapReduceAsync(Enumerable.Range(0, Count).ToArray(), i => i == poison ? long.MaxValue : 1L, Add, options).Bounded();

        AssertOnlyThePoisonFailed(result, poison, Count - 1);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task TheBatchFoldsButTheMergeOverflows_OnlyTheItemASequentialFoldRefusesIsCharged(string engine, int batchSize, int poison)
    {
        // MaxValue - 60 plus up to 49 ones fits, so a batch's own fold takes it when it comes early in its batch; added
        // to a running sum of at least 100 (the ones before it) it overflows. A left fold item by item refuses it alone,
        // and the 199 ones never overflow.
        var big = long.MaxValue - 60;
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = batchSize, MaxDegreeOfParallelism = 3 };

        var result = await Runner.MapReduceAsync(Enumerable.Range(0, Count).ToArray(), i => i == poison ? big : 1L, Add, options).Bounded();

        AssertOnlyThePoisonFailed(result, poison, Count - 1);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("sequential")]
    [InlineData("threadpool")]
    public async Task TheMapFailsToo_MapFailureAndCombineFailureEachChargedOnce(string engine)
    {
        // Item 5 (the first value of batch [5, 10)) overflows every combine, item 7 fails in the map: two failures, 8 ones.
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 5 };

        var result = await Runner.MapReduceAsync(
            Enumerable.Range(0, 10).ToArray(),
            i => i == 7 ? throw new FormatException("item seven") : i == 5 ? long.MaxValue : 1L,
            Add,
            options).Bounded();

        Assert.Equal([5L, 7], result.Report.Failures.Select(f => f.Index));
        Assert.IsType<OverflowException>(result.Report.Failures[0].Exception);
        Assert.IsType<FormatException>(result.Report.Failures[1].Exception);
        Assert.Equal(8, result.PartialValue);
        Assert.Equal((8L, 2L), (result.Report.Succeeded, result.Report.Failed));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("sequential", 1, 0)]
    [InlineData("sequential", 50, 50)]
    [InlineData("threadpool", 50, 50)]
    public async Task ACombinerThatAddsIntoItsFirstArgument_NoValueCountedTwice(string engine, int batchSize, int charged)
    {
        // A combiner that fills its first argument in place and refuses, once, a list of several values holding 125 (the
        // merge of batch [100, 150) when batches hold 50). Folding that batch again from its values would add its first
        // value, by then the batch's whole fold, and then the others again: such a batch is charged as a whole instead.
        var refused = 0;
        List<int> Concat(List<int> a, List<int> b)
        {
            if (b.Count > 1 && b.Contains(125) && Interlocked.Exchange(ref refused, 1) == 0)
            {
                throw new InvalidOperationException("refused once");
            }

            a.AddRange(b);
            return a;
        }

        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = batchSize, MaxDegreeOfParallelism = 3 };

        var result = await Runner.MapReduceAsync(Enumerable.Range(0, Count).ToArray(), i => new List<int> { i }, Concat, options).Bounded();

        var value = result.PartialValue!;
        Assert.Equal(value.Count, value.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, Count), value.Concat(result.Report.Failures.Select(f => (int)f.Index)).Order());
        Assert.Equal(charged, result.Report.Failed);
    }

    private static void AssertOnlyThePoisonFailed(ReduceResult<long> result, int poison, long expected)
    {
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(poison, failure.Index);
        Assert.IsType<OverflowException>(failure.Exception);
        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.PartialValue);
        Assert.Equal((Count - 1L, 1L, 0L), (result.Report.Succeeded, result.Report.Failed, result.Report.NotRun));
        var error = Assert.Throws<RunFailedException>(() => result.Value);
        Assert.Contains(poison.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
