namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A run that read its items from stdin and stopped says that its resume needs the same items on stdin: the printed
/// command alone (<c>brigade run - ... --resume</c>) waited for input, or ran nothing, when typed as given (review 37).
/// </summary>
public sealed class StdinResumeHintTests
{
    [Fact(Timeout = 60_000)]
    public async Task StoppedRun_FromStdin_ResumeHintSaysToFeedTheSameItems()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, "1\n2\nx\n4\n", "run", "-", "-x", "test {} != x", "--journal", dir.File("j.journal"), "--fail-fast", "-j", "1");

        Assert.Equal(1, code);
        Assert.Contains("--resume, fed the same items on stdin", stderr, StringComparison.Ordinal);
    }
}
