namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: a user switching from xargs or GNU parallel types their options. Those brigade has under another name got only
/// "unknown option" (<c>-P 4</c>, <c>--halt now,fail=1</c>, <c>-a FILE</c>), and GNU parallel's <c>::: a b c</c> was told
/// to quote its command ("run takes one input, and the command is one argument"). Each line now names brigade's way.
/// </summary>
public sealed class ForeignOptionTests
{
    [Theory]
    [InlineData(new[] { "-P", "4" }, "unknown option '-P': brigade run's is --jobs N (-j N)")]
    [InlineData(new[] { "--max-procs", "4" }, "unknown option '--max-procs': brigade run's is --jobs N (-j N)")]
    [InlineData(new[] { "--halt", "now,fail=1" }, "unknown option '--halt': brigade run's is --fail-fast")]
    [InlineData(new[] { "-a", "in.txt" }, "unknown option '-a': the input file is brigade run's first argument")]
    [InlineData(new[] { "-I", "{}" }, "unknown option '-I': brigade run's placeholder is always {}")]
    [InlineData(new[] { "-n", "2" }, "unknown option '-n': brigade run starts one command per item")]
    [InlineData(new[] { "--colsep", "," }, "unknown option '--colsep': ")]
    [InlineData(new[] { "--joblog", "log" }, "unknown option '--joblog': ")]
    public async Task XargsOrParallelOption_TheLineNamesBrigadesWay(string[] option, string expected)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["run", "in.txt", "-x", "echo {}", .. option]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("brigade: run: " + expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(":::")]
    [InlineData("::::")]
    public async Task ParallelsArgumentSeparator_SaysToGiveTheItemsAsInput(string separator)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("run", "-x", "echo {}", separator, "a", "b");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"brigade: run: GNU parallel's {separator} is not brigade's", stderr, StringComparison.Ordinal);
        Assert.Contains("| brigade run - -x", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
