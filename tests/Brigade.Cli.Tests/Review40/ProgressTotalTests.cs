using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review40;

/// <summary>
/// The progress line of an input that grows while the run reads it (a file appended to): its count, taken at the start,
/// was shown as the total long after the run passed it ("26/10 done (260.0%)", review 40).
/// </summary>
public sealed class ProgressTotalTests
{
    private static RunCounters Counters(long total, int delivered, long running)
    {
        var counters = new RunCounters { Total = total };
        for (var i = 0; i < delivered; i++)
        {
            counters.OnDelivered(failed: false);
        }

        counters.SetRunning(running);
        return counters;
    }

    [Fact]
    public void InputGrownPastItsCount_ShowsNoTotalPercentOrEta()
    {
        // Failed before the fix: "16/10 done (160.0%), ..." and "[##############################] 16/10 160% | ...".
        var counters = Counters(total: 10, delivered: 16, running: 2);

        var plain = ProgressView.Describe(counters);
        var status = ProgressView.StatusText(counters, 120);

        Assert.StartsWith("16 done, 0 failed, 2 running", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("%", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("ETA", plain, StringComparison.Ordinal);
        Assert.StartsWith("16 done | 2 running", status, StringComparison.Ordinal);
        Assert.DoesNotContain("%", status, StringComparison.Ordinal);
        Assert.DoesNotContain("[", status, StringComparison.Ordinal);
    }

    [Fact]
    public void InputWithinItsCount_ShowsTheTotal()
    {
        var counters = Counters(total: 64, delivered: 39, running: 2);

        Assert.StartsWith("39/64 done (60.9%), 0 failed, 2 running", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.Contains("39/64 60%", ProgressView.StatusText(counters, 120), StringComparison.Ordinal);
    }
}
