namespace Brigade.Cli.Tests;

/// <summary>Every help page ends with examples; asking for a command's help is never a usage error.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("demo", "--help")]
    [InlineData("advise", "--help")]
    [InlineData("silo", "--help")]
    public async Task Help_EndsWithExamples_AndExitsZero(params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        var examples = stdout[stdout.LastIndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains("  brigade ", examples, StringComparison.Ordinal);
        Assert.True(stdout.IndexOf("Options:", StringComparison.Ordinal) < stdout.LastIndexOf("Examples:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunHelp_ShowsTheResumeExample()
    {
        var (_, stdout, _) = await CliRunner.RunAsync("run", "--help");

        Assert.Contains("--resume", stdout[stdout.IndexOf("Examples:", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }
}
