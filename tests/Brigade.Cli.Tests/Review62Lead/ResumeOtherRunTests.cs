namespace Brigade.Cli.Tests.Review62Lead;

/// <summary>
/// Review 62 (run62's note): <c>--resume</c> of a run whose outputs another, finished run wrote (the same <c>-o</c>, another
/// command) said "no record of this run finishing, so which items are done is unknown", although brigade had that other
/// run's record: it now says which of its arguments differ, as a journal of another run does. In-process (CliRunner).
/// </summary>
public sealed class ResumeOtherRunTests
{
    [Fact(Timeout = 60_000)]
    public async Task Resume_WithAnotherCommand_OverAFinishedRunsOutput_SaysWhatDiffers()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);
        string[] Args(string command) => ["run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-e", "sequential"];

        var (code, _, stderr) = await CliRunner.RunAsync(Args("echo a{}"));
        Assert.True(code == 0, stderr);

        (code, _, stderr) = await CliRunner.RunAsync([.. Args("echo b{}"), "--resume"]);

        Assert.Equal(2, code);
        Assert.True(stderr.Contains("holds the results of a finished run with other arguments (its work was 'exec:echo a{}', this run's is 'exec:echo b{}')", StringComparison.Ordinal), stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal(["a1", "a2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }
}
