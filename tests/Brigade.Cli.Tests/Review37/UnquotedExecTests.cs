namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// <c>brigade run in.txt -x echo {}</c> (the command not quoted: the shell splits it into words) says to quote the
/// command, in one line, exit 2. Before: "Unrecognized command or argument '{}'.", which does not say what to do
/// (review 37).
/// </summary>
public sealed class UnquotedExecTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("-x", "{}")]
    [InlineData("--exec", "hello")]
    public async Task Exec_NotQuoted_SaysToQuoteTheCommand(string option, string word)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), option, "echo", word);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains($"unexpected argument '{word}'", stderr, StringComparison.Ordinal);
        Assert.Contains("quote it whole (--exec 'echo {}'", stderr, StringComparison.Ordinal);
    }
}
