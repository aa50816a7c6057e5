using Brigade.Cli.Commands;

namespace Brigade.Cli.Tests.Review41;

/// <summary>Usage errors a new user meets first, each one line, exit 2 (review 41's hostile pass).</summary>
public sealed class RunUsageEdgeTests
{
    // `--timeout 1e-9s` and `0.1ms` read as a timeout of 0 (TimeSpan has no room for less than a tick, and no timer
    // keeps less than a millisecond): every item failed "timed out after 0 s", exit 1.
    [Theory]
    [InlineData("1e-9s")]
    [InlineData("0.1ms")]
    [InlineData("0.0000001")]
    public void TimeoutBelowAMillisecond_IsAUsageError(string text)
    {
        var error = Assert.Throws<CliUsageException>(() => RunCommand.ParseDuration(text));

        Assert.Equal($"--timeout: '{text}' is less than 1ms, the shortest this option takes", error.Message);
    }

    [Fact]
    public void OneMillisecond_IsRead()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), RunCommand.ParseDuration("1ms"));
    }

    // A misspelt option of brigade's after a quoted command was told to quote the command ("run takes one input, and
    // the command is one argument"), which it already was.
    [Theory]
    [InlineData("--jobz", "in.txt", "-x", "echo {}", "--jobz", "3")]
    [InlineData("--bogus", "in.txt", "--bogus", "-x", "echo {}")]
    public async Task MisspeltOption_WithAQuotedCommand_SaysUnknownOption(string option, params string[] rest)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["run", .. rest]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"brigade: run: unknown option '{option}' (see '", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    // The command split into words by the shell still gets the advice, an option of the command's included.
    [Theory]
    [InlineData("{}", "in.txt", "-x", "echo", "{}")]
    [InlineData("-v", "in.txt", "-x", "grep", "-v", "{}")]
    public async Task CommandSplitIntoWords_IsToldToQuoteIt(string extra, params string[] rest)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(["run", .. rest]);

        Assert.Equal(2, code);
        Assert.Contains($"run: unexpected argument '{extra}': run takes one input, and the command is one argument: quote it whole", stderr, StringComparison.Ordinal);
    }
}
