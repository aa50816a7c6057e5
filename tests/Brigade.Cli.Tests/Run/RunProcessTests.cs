namespace Brigade.Cli.Tests.Run;

/// <summary>brigade run as a real process (kills at random moments and resume: FaultInjection/KillAndResumeTests).</summary>
public sealed class RunProcessTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_ReadsItemsFromStdin()
    {
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = await CliProcess.RunAsync(dir.Path, "b\na\n\nc\n", "run", "-", "--exec", "echo got {}", "-q", "-j", "2");

        Assert.True(code == 0, stderr);
        Assert.Equal("got b\ngot a\ngot c\n", stdout);
    }
}
