namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: options GNU parallel scripts carry. <c>-k</c>/<c>--keep-order</c> asks for what brigade run does by default
/// (results in input order): refused since run56 (exit 2, "writes the outputs in the input's order already"), a script
/// switched from parallel stopped at its first line. <c>--progress</c>, <c>--bar</c> and <c>--eta</c> ask for progress,
/// which brigade shows by default: refused as unknown options. Each is now accepted as the default it asks for; the one
/// that contradicts another option (<c>-k --unordered</c>, <c>--progress --quiet</c>) is a usage error in one line.
/// </summary>
public sealed class GnuParallelOptionsTests
{
    [Theory]
    [InlineData("-k")]
    [InlineData("--keep-order")]
    [InlineData("--progress")]
    [InlineData("--bar")]
    [InlineData("--eta")]
    public async Task GnuParallelOption_IsAccepted_AndTheRunKeepsTheInputsOrder(string option)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "3\n1\n2\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), option, "-x", "sleep 0.{}; echo {}", "-o", dir.File("out.txt"));

        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Equal("3\n1\n2\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Theory]
    [InlineData("-k", "--unordered", "--keep-order")]
    [InlineData("--keep-order", "--unordered", "--keep-order")]
    [InlineData("--progress", "--quiet", "--progress")]
    [InlineData("--bar", "-q", "--progress")]
    public async Task ContradictoryPair_IsAUsageError_InOneLine(string option, string other, string named)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), option, other, "-x", "echo {} > ran.txt");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("brigade: ", stderr, StringComparison.Ordinal);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(dir.File("ran.txt")));
    }

    [Fact]
    public async Task Help_SaysKeepOrderIsTheDefault()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("run", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--keep-order", stdout, StringComparison.Ordinal);
        Assert.Contains("--progress", stdout, StringComparison.Ordinal);
    }
}
