using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review63Lib;

/// <summary>
/// lib63: a combiner that adds into its first argument and returns it (<c>a.AddRange(b); return a;</c>) refusing one
/// value charged that value's whole batch, each item with the combiner's own exception, as if each had been refused. A
/// failure in an in-place merge cannot be undone nor the batch's fold taken apart, so the batch is still charged, but each
/// of its items now says why: the fold of which items the combiner refused, and that its value is not in the result.
/// </summary>
public sealed class InPlaceCombinerReportTests
{
    [Fact(Timeout = 60_000)]
    public async Task InPlaceCombiner_RefusesAPartial_EachChargedItemSaysItWasFoldedWithTheOneRefused()
    {
        var refusal = new InvalidOperationException("refuse 100");
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

        // What is missing from the value is exactly what is charged (as before): the batch [100, 150).
        Assert.Equal(Enumerable.Range(100, 50), result.Report.Failures.Select(f => (int)f.Index));
        Assert.Equal(Enumerable.Range(0, 200), result.PartialValue!.Concat(result.Report.Failures.Select(f => (int)f.Index)).Order());
        foreach (var failure in result.Report.Failures)
        {
            // Before: the combiner's own exception, which read as if item 149 had been refused.
            var e = Assert.IsType<InvalidOperationException>(failure.Exception);
            Assert.Same(refusal, e.InnerException);
            Assert.Contains("folded with items 100 to 149", e.Message, StringComparison.Ordinal);
            Assert.Contains("returns one of its arguments", e.Message, StringComparison.Ordinal);
            Assert.Contains("refuse 100", e.Message, StringComparison.Ordinal);
        }
    }
}
