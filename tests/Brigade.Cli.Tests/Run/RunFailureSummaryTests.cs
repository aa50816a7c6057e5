using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// Review 54: a run whose items all failed the same way (a program that does not exist) said "1,000 failed (see FILE)" on
/// its last line and nothing of why; the summary now names the reason most failures share. In-process.
/// </summary>
public sealed class RunFailureSummaryTests
{
    [Fact(Timeout = 60_000)]
    public async Task EveryItemFailingTheSameWay_SummaryNamesTheReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        // Named by the items: a program the command names itself is refused before the run since run56 (RunPreflightTests).
        await File.WriteAllTextAsync(dir.File("in.txt"), string.Concat(Enumerable.Repeat("brigade-no-such-program-54\n", 3)));

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "{} 1", "-o", dir.File("out.txt"), "-j", "2");

        Assert.Equal(1, code);
        Assert.Contains("3 items, 3 failed, all with \"exit code 127: command not found: brigade-no-such-program-54\" (see ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Reasons_MostShared_AtLeastHalf_FirstLineOnly()
    {
        var counters = new RunCounters();
        counters.OnDelivered(failed: true);
        counters.OnFailure("exit code 3\nsome stderr");
        Assert.Null(counters.CommonFailure()); // one failure: its line says it already

        counters.OnDelivered(failed: true);
        counters.OnFailure("exit code 3\nother stderr");
        counters.OnDelivered(failed: true);
        counters.OnFailure("exit code 4");
        Assert.Equal(("exit code 3", 2L, false), counters.CommonFailure());

        counters.OnDelivered(failed: true);
        counters.OnFailure("exit code 5");
        counters.OnDelivered(failed: true);
        counters.OnFailure("exit code 6");
        Assert.Null(counters.CommonFailure()); // 2 of 5: no reason most failures share
    }

    [Fact]
    public void AllFailuresOfTheJob_OnlyWhenNoneCameFromAnEarlierRun()
    {
        var counters = new RunCounters();
        counters.OnDelivered(failed: true); // delivered before an interruption, counted again on --resume
        for (var i = 0; i < 2; i++)
        {
            counters.OnDelivered(failed: true);
            counters.OnFailure("timed out after 1 s");
        }

        Assert.Equal(("timed out after 1 s", 2L, false), counters.CommonFailure());
    }
}
