using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review46;

/// <summary>
/// Review 46 (left by review 45): 1,000,000 failing items held 441 MB, one exception (and its stack trace) per item even
/// when every item failed for the same reason, and <see cref="RunResult{T}"/> copied the failures into a dictionary of its
/// own. Past the first <c>1,000</c> failures, a failure whose exception has the type and message of one already kept
/// shares that exception; every failure is still reported, with its index and reason.
/// </summary>
public sealed class SharedFailureReasonTests
{
    private const int Count = 5_000;

    [Theory(Timeout = 60_000)]
    [InlineData("sequential")]
    [InlineData("threadpool")]
    public async Task ManyFailuresForOneReason_EachReportedByIndex_TheExceptionsShared(string engine)
    {
        var options = new RunOptions { Engine = engine == "sequential" ? Engine.Sequential : Engine.ThreadPool };

        var result = await Runner.MapAsync(Enumerable.Range(0, Count), Fail, options).Bounded();

        Assert.Equal(Count, result.Failures.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), result.Failures.Select(f => f.Index));
        Assert.All(result.Failures, f => Assert.Equal("the same reason", Assert.IsType<InvalidOperationException>(f.Exception).Message));
        Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(ItemStatus.Failed, result[i].Status));
        Assert.Equal("the same reason", result[Count - 1].Exception!.Message);

        var distinct = result.Failures.Select(f => f.Exception).Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.InRange(distinct, 1, 1_001);
    }

    [Fact(Timeout = 60_000)]
    public async Task FailuresForDifferentReasons_KeepTheirOwnExceptions()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 3_000), i => i % 2 == 0 ? Fail(i) : throw new ArgumentException($"item {i}"), new RunOptions { Engine = Engine.Sequential }).Bounded();

        Assert.Equal(3_000, result.Failures.Count);
        var odd = result.Failures.Where(f => f.Index % 2 == 1).ToList();
        Assert.All(odd, f => Assert.Equal($"item {f.Index}", f.Exception.Message));
        Assert.Equal(odd.Count, odd.Select(f => f.Exception).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.InRange(result.Failures.Where(f => f.Index % 2 == 0).Select(f => f.Exception).Distinct(ReferenceEqualityComparer.Instance).Count(), 1, 1_000);
    }

    private static int Fail(int i) => throw new InvalidOperationException("the same reason");
}
