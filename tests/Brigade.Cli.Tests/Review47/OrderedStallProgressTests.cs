using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review47;

/// <summary>
/// An ordered run whose output is held behind one slow item said only "1 running" while finished results waited: the
/// progress now names the line the output waits for, how long, and how many results are held (review 46 gave the
/// library the wait, <c>RunProgress.OrderedWaitItem</c>; <c>brigade run</c> did not show it).
/// </summary>
public sealed class OrderedStallProgressTests
{
    [Fact]
    public void AWaitOfASecondOrMore_IsShown_AShorterOneIsNot()
    {
        var counters = new RunCounters { Total = 20 };
        counters.SetRunning(1);
        counters.SetStall(new OrderedStall(3, TimeSpan.FromMilliseconds(400), 5));
        Assert.DoesNotContain("waits", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.DoesNotContain("waits", ProgressView.StatusText(counters, 200), StringComparison.Ordinal);

        counters.SetStall(new OrderedStall(3, TimeSpan.FromSeconds(12.5), 17));
        Assert.EndsWith("; the output waits for line 3 (0:12, 17 results held)", ProgressView.Describe(counters), StringComparison.Ordinal);
        Assert.Contains("| waits for line 3 0:12", ProgressView.StatusText(counters, 200), StringComparison.Ordinal);

        // Narrow terminals drop it before the counts.
        Assert.DoesNotContain("waits", ProgressView.StatusText(counters, 40), StringComparison.Ordinal);

        counters.SetStall(null);
        Assert.DoesNotContain("waits", ProgressView.Describe(counters), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task OrderedRun_HeldBehindASlowItem_SaysWhichLine()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b", "c", "d"]);

        // Failed before: "1/4 done (25.0%), 0 failed, 1 running, ..." every 2 s, and nothing on why.
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "if [ {} = b ]; then sleep 5; fi; echo {}", "-e", "threads", "-j", "4", "-o", dir.File("out.txt"));

        Assert.True(code == 0, stderr);
        Assert.Equal(["a", "b", "c", "d"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Contains("the output waits for line 2 (0:0", stderr, StringComparison.Ordinal);
        Assert.Contains("2 results held)", stderr, StringComparison.Ordinal);
    }
}
