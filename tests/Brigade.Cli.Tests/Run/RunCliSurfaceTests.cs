namespace Brigade.Cli.Tests.Run;

/// <summary>run52: <c>-q</c> and the notice that <c>--jobs</c> was lowered; <c>--version</c> after <c>run</c>. In-process.</summary>
public sealed class RunCliSurfaceTests
{
    [Fact(Timeout = 60_000)]
    public async Task Quiet_SilencesTheNoticeThatJobsWasLowered_AsItsOtherNotices()
    {
        // Failed before: "--jobs 2000000000: the open-file and process limits ... running at most N" printed under -q,
        // which silences brigade's other notices (a FIFO's wait, a lingering background process, the summary).
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "2000000000", "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal("a\n", stdout);
        Assert.Equal("", stderr);

        (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "2000000000");
        Assert.True(code == 0, stderr);
        Assert.Contains("brigade run: --jobs 2000000000: the open-file and process limits", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_AfterTheCommand_SaysTheVersion_AmongItsArguments_PointsToIt()
    {
        // Failed before: `brigade run --version` was a usage error (run took --version for its input: "give the work either with --exec ..."), exit 2.
        var (code, version, stderr) = await CliRunner.RunAsync("--version");
        Assert.True(code == 0, stderr);
        Assert.NotEqual("", version.Trim());

        var (runCode, runVersion, runStderr) = await CliRunner.RunAsync("run", "--version");
        Assert.True(runCode == 0, runStderr);
        Assert.Equal(version, runVersion);
        Assert.Equal("", runStderr);

        (runCode, _, runStderr) = await CliRunner.RunAsync("run", "in.txt", "-x", "echo {}", "--version");
        Assert.Equal(2, runCode);
        var line = Assert.Single(runStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("unknown option '--version' of run; the version: '", line, StringComparison.Ordinal);
    }
}
