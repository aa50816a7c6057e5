namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// A run whose every item failed (a mistyped command, a missing file) gets no "why not faster" line: it advised on the
/// speed of a run that did nothing useful ("1% of the ideal; lost to imbalance"), under the line that says every item
/// failed. The same straggler shape that succeeds gets the line (<see cref="WhyNotFasterCliTests"/>).
/// </summary>
public sealed class WhyNotFasterAllFailedTests
{
    [Fact(Timeout = 60_000)]
    public async Task EveryItemFailed_NoWhyNotFasterLine()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["short", "long"]);

        // The straggler of WhyNotFasterCliTests (imbalance: about half the ideal), every command then failing.
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "case {} in short) sleep 0.05;; *) sleep 0.8;; esac; exit 3", "-o", dir.File("out.txt"), "-j", "2");

        Assert.True(code == 1, stderr);
        Assert.Contains("2 items, 2 failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("why not faster", stderr, StringComparison.Ordinal);
    }
}
