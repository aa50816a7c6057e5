using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45;

/// <summary>
/// Review 45 (a user's console app): the losses of a lazy run with <c>MaxDegreeOfParallelism = int.MaxValue</c> took an
/// ideal of 2,147,483,647 workers ("0% of the ideal", "2,147,483,597 workers never ran"), and past ~7 minutes of wall
/// time that ideal overflowed <see cref="TimeSpan"/>: <see cref="RunReport.Losses"/> (and <c>Explain</c>) threw. The
/// unbounded width is now the width the items allowed; a finite width asked for still counts its unused workers.
/// </summary>
public sealed class UnboundedWidthLossesTests
{
    [Fact(Timeout = 60_000)]
    public async Task LazyRun_IntMaxValue_TheLossesIdealIsTheItemsWidth()
    {
        var options = new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = int.MaxValue };

        var result = await Runner.MapAsync(Lazy(50), i => { Thread.Sleep(1); return i; }, options).Bounded();

        Assert.InRange(result.Report.Losses.Width, 1, 50);
        Assert.DoesNotContain("2147483647", result.Report.Explain(), StringComparison.Ordinal);
        Assert.DoesNotContain("2,147,483", result.Report.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALongUnboundedRun_ItsLossesDoNotOverflow()
    {
        var report = new RunReport { Engine = "threadpool", DegreeOfParallelism = int.MaxValue, Items = 10, Succeeded = 10, WallTime = TimeSpan.FromMinutes(10), BusyTime = TimeSpan.FromMinutes(20) };

        var losses = report.Losses;

        Assert.Equal(10, losses.Width);
    }

    private static IEnumerable<int> Lazy(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
