namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// What <c>--help</c> tells a new user is what works. Before (review 37): the usage lines named the assembly
/// (<c>Brigade.Cli run &lt;input&gt; [options]</c>) while every example says <c>brigade</c>; and <c>run --help</c>'s CSV
/// example (<c>photos.csv -x 'convert {path} -resize 50% small/{/}'</c>) wrote <c>small/a.jpg,10</c>: <c>{/}</c> is the
/// basename of the whole CSV record, not of the path column.
/// </summary>
public sealed class HelpTextTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("--help", "brigade [command] [options]")]
    [InlineData("run --help", "brigade run <input> [options]")]
    [InlineData("demo --help", "brigade demo [options]")]
    public async Task Help_UsageLine_NamesTheCommandBrigade(string args, string usage)
    {
        var (code, stdout, _) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(0, code);
        Assert.Contains(usage, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Brigade.Cli", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunHelp_EveryExampleWithBasename_UsesAPlainLinesInput()
    {
        var (_, stdout, _) = await CliRunner.RunAsync("run", "--help");

        // {/} and its kin act on the whole item: with CSV input that is the record, commas and all.
        foreach (var line in stdout.Split('\n').Where(l => l.Contains("brigade run", StringComparison.Ordinal) && l.Contains("{/", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(".csv", line, StringComparison.Ordinal);
        }
    }
}
