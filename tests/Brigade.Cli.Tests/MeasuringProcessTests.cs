namespace Brigade.Cli.Tests;

/// <summary>The real executable: demo restarts itself with tiered compilation off and behaves as before.</summary>
public sealed class MeasuringProcessTests
{
    [Fact]
    public void ShouldRestart_OnlyTheMeasuringCommands_OnlyOnce()
    {
        var restarts = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();
        Assert.Equal(restarts && Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is null, MeasuringProcess.ShouldRestart(["demo", "--quick"]));
        Assert.False(MeasuringProcess.ShouldRestart(["run", "items.txt", "-x", "echo"]));
        Assert.False(MeasuringProcess.ShouldRestart(["demo", "--help"]));
        Assert.False(MeasuringProcess.ShouldRestart([]));
    }

    [Fact]
    public void TakeRestart_RemovesOnlyTheVariablesTheRestartAdded()
    {
        // The spin limit is the one of the restart's variables whose brief presence here changes nothing for other tests.
        const string Spin = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";
        var userSpin = Environment.GetEnvironmentVariable(Spin);
        try
        {
            Environment.SetEnvironmentVariable(Spin, "70");
            Environment.SetEnvironmentVariable("BRIGADE_MEASURING_RESTARTED", $"{Spin},PATH");

            Assert.True(MeasuringProcess.TakeRestart());

            Assert.Null(Environment.GetEnvironmentVariable(Spin));
            Assert.Null(Environment.GetEnvironmentVariable("BRIGADE_MEASURING_RESTARTED"));
            Assert.NotNull(Environment.GetEnvironmentVariable("PATH")); // not one of the restart's own
            Assert.True(MeasuringProcess.Restarted);
            Assert.False(MeasuringProcess.TakeRestart()); // once only
        }
        finally
        {
            Environment.SetEnvironmentVariable(Spin, userSpin);
        }
    }

    [Fact]
    public async Task Demo_AsAProcess_RestartsAndRuns_WithItsExitCode()
    {
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = await CliProcess.RunAsync(dir.Path, (string?)null, "demo", "--list");
        Assert.True(code == 0, stderr);
        Assert.Contains("sleeping-task", stdout, StringComparison.Ordinal);

        (code, _, stderr) = await CliProcess.RunAsync(dir.Path, (string?)null, "demo", "--only", "no-such-scene");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
