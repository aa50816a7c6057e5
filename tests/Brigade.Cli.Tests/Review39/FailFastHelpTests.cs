namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// <c>--fail-fast</c>'s help says what it does: the commands still running when an item fails are stopped (and run again
/// on <c>--resume</c>), as GNU parallel's <c>--halt now,fail=1</c>. It said "items already running finish", and a user
/// who relied on that (a slow upload let finish) found it killed (review 39).
/// </summary>
public sealed class FailFastHelpTests
{
    [Fact(Timeout = 60_000)]
    public async Task FailFast_StopsTheCommandsStillRunning_AsItsHelpSays()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "slow\nbad\n");
        // The slow item waits (at most 30 s) for a go file that never comes, the bad one fails once the slow one runs.
        var command = $"if [ {{}} = bad ]; then while [ ! -e {dir.Path}/started ]; do sleep 0.02; done; exit 1; fi; touch {dir.Path}/started; n=0; while [ ! -e {dir.Path}/go ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; touch {dir.Path}/finished; echo {{}}";

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "--fail-fast", "-j", "2", "-e", "threads", "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 1, stderr);
        Assert.False(File.Exists(dir.File("finished")), "the slow command ran to its end");
        Assert.Equal("", await File.ReadAllTextAsync(dir.File("out.txt")));

        var (_, help, _) = await CliRunner.RunAsync("run", "--help");
        var line = string.Join(' ', help.Split('\n').SkipWhile(l => !l.Contains("--fail-fast", StringComparison.Ordinal)).Take(3));
        Assert.Contains("commands still running are stopped", line, StringComparison.Ordinal);
        Assert.DoesNotContain("finish", line, StringComparison.Ordinal);
    }
}
