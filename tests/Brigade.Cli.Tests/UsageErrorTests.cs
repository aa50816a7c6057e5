namespace Brigade.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("demo", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("demo", "--only", "no-such-scene")]
    [InlineData("demo", "--trace", "/no/such/directory/trace.json")]
    [InlineData("advise", "--only", "no-such-workload")]
    [InlineData("advise", "--repetitions", "0")]
    [InlineData("advise", "--no-such-option")]
    public async Task BadInput_PrintsOneLineError_AndExitsWith2(params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("brigade: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoList_NamesEveryFoundationScene()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("demo", "--list");

        Assert.Equal(0, code);
        foreach (var id in new[] { "sleeping-task", "blocking-io", "cpu-bound", "tiny-tasks", "auto-mode" })
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }
    }
}
