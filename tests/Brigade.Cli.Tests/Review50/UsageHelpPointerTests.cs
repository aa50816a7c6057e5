namespace Brigade.Cli.Tests.Review50;

/// <summary>
/// Review 50: a usage error in a command's arguments pointed to the top-level help (<c>(see 'brigade --help')</c>), which
/// lists the commands, not that command's options; and <c>brigade --frob</c> said "Required command was not provided.",
/// the parser's first error, instead of naming the option it did not know.
/// </summary>
public sealed class UsageHelpPointerTests
{
    [Fact(Timeout = 60_000)]
    public async Task ErrorInACommandsArguments_PointsToThatCommandsHelp()
    {
        // Failed before: "(see 'brigade --help')".
        var (code, stdout, stderr) = await CliRunner.RunAsync("cluster", "--frob");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.EndsWith(" --help')", stderr.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Contains(" cluster --help')", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownTopLevelOption_IsNamed()
    {
        // Failed before: "brigade: Required command was not provided. (see 'brigade --help')".
        var (code, _, stderr) = await CliRunner.RunAsync("--frob");

        Assert.Equal(2, code);
        Assert.StartsWith("brigade: unknown option '--frob'; the commands are ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
