using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45;

/// <summary>
/// Review 45 (left by review 44): a run over a lazy input with <c>MaxDegreeOfParallelism = int.MaxValue</c> showed
/// "×2147483647" in its summary (and its losses counted an ideal of that many workers): a lazy input's size is not known
/// when the run starts, so the width asked for stayed the report's. The summary, trace and losses now show the width the
/// run could use, as for an input of known size: never more than its items.
/// </summary>
public sealed class UnboundedWidthSummaryTests
{
    public static TheoryData<string> Engines => new() { "threadpool", "threads", "async" };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task LazyInput_IntMaxValueWidth_TheSummaryShowsAtMostOneWorkerPerItem(string engine)
    {
        var options = new RunOptions { Engine = engine switch { "threads" => Engine.Threads, "async" => Engine.Async, _ => Engine.ThreadPool }, MaxDegreeOfParallelism = int.MaxValue };

        var result = await Runner.MapAsync(Lazy(20), x => x + 1, options).Bounded();

        var text = result.Report.ToString();
        Assert.DoesNotContain("2147483647", text, StringComparison.Ordinal);
        var width = int.Parse(text[(text.IndexOf('×', StringComparison.Ordinal) + 1)..text.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(width, 1, 20);
        Assert.Equal(int.MaxValue, result.Report.DegreeOfParallelism);
    }

    [Fact(Timeout = 60_000)]
    public async Task LazyInput_ShowsTheSameWidthAsTheSameItemsInAnArray()
    {
        var options = new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = int.MaxValue };

        var lazy = await Runner.MapAsync(Lazy(1), x => x, options).Bounded();
        var array = await Runner.MapAsync(new[] { 0 }, x => x, options).Bounded();

        Assert.StartsWith("threadpool ×1: 1 items", lazy.Report.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("threadpool ×1: 1 items", array.Report.ToString(), StringComparison.Ordinal);
    }

    private static IEnumerable<int> Lazy(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
