namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// A <c>--fail-fast</c> run resumed after its first failure runs the rest and finishes: the summary says it finished, the
/// journal goes, the same command is not refused. Before, the resumed run counted the earlier run's failure as its own
/// stop: it said "stopped at the first failure (--fail-fast). Resume with: ... --resume" after running every item, kept
/// its journal, and every later --resume said the same, while the command without --resume was refused (review 39).
/// </summary>
public sealed class FailFastResumeTests
{
    [Fact(Timeout = 60_000)]
    public async Task ResumedFailFastRun_ThatRunsTheRest_Finishes()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3\n4\n5\n6\n");
        string[] args = ["run", dir.File("in.txt"), "-x", "test {} != 3 && echo r{}", "--fail-fast", "-j", "1", "-e", "sequential", "-o", dir.File("out.txt")];

        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.Equal(1, code);
        Assert.Contains("stopped at the first failure (--fail-fast)", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("out.txt.journal")));

        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);
        Assert.Equal(1, code); // item 3 failed: the job as a whole
        Assert.DoesNotContain("stopped at the first failure", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Resume with", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.txt.journal")), "a finished run leaves no journal");
        Assert.Equal("r1\nr2\nr4\nr5\nr6\n", await File.ReadAllTextAsync(dir.File("out.txt")));

        (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.Equal(1, code);
        Assert.DoesNotContain("a journal from an earlier, unfinished run", stderr, StringComparison.Ordinal);
    }
}
