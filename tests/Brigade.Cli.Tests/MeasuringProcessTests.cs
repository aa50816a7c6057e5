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

        // Review 56: listing measures nothing.
        Assert.False(MeasuringProcess.ShouldRestart(["demo", "--list"]));
        Assert.False(MeasuringProcess.ShouldRestart(["advise", "--list", "--json"]));
    }

    [Fact]
    public void TakeRestart_RemovesTheStartUpSwitches_KeepsTheSpinLimitAndTheRest()
    {
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_TieredCompilation"] = "0",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "46",
            ["PATH"] = "/bin",
            ["BRIGADE_MEASURING_RESTARTED"] = "DOTNET_TieredCompilation,DOTNET_gcServer,DOTNET_ThreadPool_UnfairSemaphoreSpinLimit,PATH",
        };

        Assert.True(MeasuringProcess.TakeRestart(n => env.GetValueOrDefault(n), (n, v) => env[n] = v));

        Assert.Null(env["DOTNET_TieredCompilation"]);
        Assert.Null(env["DOTNET_gcServer"]);
        Assert.Null(env["BRIGADE_MEASURING_RESTARTED"]);
        Assert.Equal("46", env["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]); // the thread pool reads it after Main starts
        Assert.Equal("/bin", env["PATH"]); // not one of the restart's own
        Assert.False(MeasuringProcess.TakeRestart(n => env.GetValueOrDefault(n), (n, v) => env[n] = v)); // once only
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
