namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// <c>-j 0</c> is what it is in <c>xargs -P 0</c> and GNU parallel's <c>-j 0</c>: as many commands at once as can run
/// (the open-file and process limits). Before, it was refused ("--jobs must be at least 1", exit 2), so a command line
/// written for those tools stopped at once (review 39).
/// </summary>
public sealed class JobsZeroTests
{
    [Fact(Timeout = 60_000)]
    public async Task JobsZero_RunsTheCommands()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\nc\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "0", "-e", "threads", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("a\nb\nc\n", stdout);
    }

    [Fact]
    public async Task JobsZero_WithAWorkType_IsAUsageError()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("run", "in.txt", "--assembly", "work.dll", "--work", "W", "-j", "0");

        Assert.Equal(2, code);
        Assert.StartsWith("brigade: --jobs 0 (as many as the system allows) applies to --exec commands", stderr, StringComparison.Ordinal);
    }
}
