namespace Brigade.Cli.Tests.Run;

// Review 56 (run56): a GNU parallel user's `--keep-order`/`-k` got only "unknown option", while brigade run keeps the
// input's order by default: the error says so (still a usage error: the option is not brigade's).
public sealed class RunKeepOrderOptionTests
{
    [Theory]
    [InlineData("--keep-order")]
    [InlineData("-k")]
    public async Task KeepOrder_IsUnknown_AndSaysTheOrderIsKeptAlready(string option)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["run", "in.txt", option, "-x", "echo {}"]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"brigade: run: unknown option '{option}': brigade run writes the outputs in the input's order already (see '", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
