using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>A long run restarts itself once with call counting off; its commands do not inherit that.</summary>
public sealed class RunRestartTests
{
    private static bool EnvironmentAllows =>
        SelfExec.IsAvailable
        && Environment.GetEnvironmentVariable("DOTNET_TC_CallCounting") is null
        && Environment.GetEnvironmentVariable("COMPlus_TC_CallCounting") is null
        && Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is null
        && Environment.GetEnvironmentVariable("COMPlus_TieredCompilation") is null;

    [Fact]
    public async Task ShouldRestart_OnlyARegularFileOfEnoughItems()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("long.txt"), Enumerable.Range(1, RunRestart.MinItems).Select(i => i.ToString()));
        await File.WriteAllLinesAsync(dir.File("short.txt"), Enumerable.Range(1, RunRestart.MinItems - 1).Select(i => i.ToString()));

        Assert.Equal(EnvironmentAllows, RunRestart.ShouldRestart(dir.File("long.txt"), nullSeparated: false));
        Assert.False(RunRestart.ShouldRestart(dir.File("short.txt"), nullSeparated: false));
        Assert.False(RunRestart.ShouldRestart(dir.File("long.txt"), nullSeparated: true)); // no NUL in it: one item
        Assert.False(RunRestart.ShouldRestart("-", nullSeparated: false));
        Assert.False(RunRestart.ShouldRestart(dir.File("missing.txt"), nullSeparated: false));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(RunRestart.MinItems, true)]
    [InlineData(10, false)]
    public async Task Run_AsAProcess_RestartsOnlyALongRun_AndItsCommandsDoNotInheritTheSwitch(int items, bool restarts)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the commands read their parent's start-up environment from /proc
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, items).Select(i => i.ToString()));

        // Each command prints its item, the switch as the command sees it, and (the first and last: every command's parent
        // is the same brigade process, whose image is restarted before any command starts) whether that image was started
        // by a restart. Until review 65 every command read it, two greps each: 800 processes more in the long run.
        var command = $"if [ {{}} = 1 ] || [ {{}} = {items} ]; then r=$(grep -ac BRIGADE_RUN_RESTARTED=1 /proc/$PPID/environ) g=$(grep -ac DOTNET_gcServer=0 /proc/$PPID/environ); else r=- g=-; fi; " +
            "echo {} $r $g ${DOTNET_TC_CallCounting:-unset} ${BRIGADE_RUN_RESTARTED:-unset} ${DOTNET_gcServer:-unset} ${DOTNET_GCgen0MaxBudget:-unset} ${BRIGADE_RUN_RESTART_ADDED:-unset}";
        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, (string?)null, "run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 0, stderr);
        var expected = restarts && EnvironmentAllows ? "1" : "0";
        Assert.Equal(
            Enumerable.Range(1, items).Select(i => i == 1 || i == items ? $"{i} {expected} {expected} unset unset unset unset unset" : $"{i} - - unset unset unset unset unset"),
            await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 120_000)]
    public async Task RestartedRun_CanBeDiagnosedFromOutside()
    {
        // The runtime's diagnostics socket is named after the pid and start time, which the restart keeps: the old
        // image's file made the new runtime's bind fail, and brigade doctor --pid was refused for the whole run.
        if (!OperatingSystem.IsLinux() || !EnvironmentAllows)
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, RunRestart.MinItems).Select(i => i.ToString()));
        using var brigade = CliProcess.Start(dir.Path, "run", dir.File("in.txt"), "-x", "sleep 1; echo {}", "-j", "1", "-o", dir.File("out.txt"), "-q");
        try
        {
            var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(brigade.Id);
            Exception? last = null;
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !brigade.HasExited)
            {
                try
                {
                    // Only the restarted image has the marker in its start-up environment.
                    if ((await File.ReadAllTextAsync($"/proc/{brigade.Id}/environ")).Contains("BRIGADE_RUN_RESTARTED=1", StringComparison.Ordinal)
                        && File.Exists(dir.File("out.txt.journal")))
                    {
                        var environment = client.GetProcessEnvironment();
                        Assert.Contains("PATH", environment.Keys);
                        return;
                    }
                }
                catch (Exception e) when (e is Microsoft.Diagnostics.NETCore.Client.ServerNotAvailableException or IOException or TimeoutException)
                {
                    last = e;
                }

                await Task.Delay(200);
            }

            Assert.Fail($"the restarted run's diagnostics were never reachable: {last?.Message ?? (brigade.HasExited ? "it exited" : "it never restarted")}");
        }
        finally
        {
            brigade.Kill(entireProcessTree: true);
            await brigade.WaitForExitAsync();
        }
    }

    [Fact]
    public void RestartVariables_ForCommands_SetTheGcForARunThatAllocatesLittle_ButNotWhatTheUserSet()
    {
        var none = RunRestart.RestartVariables(commands: true, _ => null);
        Assert.Contains("DOTNET_gcServer=0", none);
        Assert.Contains("DOTNET_gcConcurrent=0", none);
        Assert.Contains("DOTNET_GCgen0MaxBudget=0x400000", none);
        Assert.Contains("BRIGADE_RUN_RESTART_ADDED=DOTNET_gcServer,DOTNET_gcConcurrent,DOTNET_GCgen0MaxBudget", none);

        // The user's own choice (either prefix) stays theirs, and is not taken out of the commands' environment.
        var user = RunRestart.RestartVariables(commands: true, name => name is "COMPlus_gcServer" ? "1" : null);
        Assert.DoesNotContain(user, v => v.StartsWith("DOTNET_gcServer=", StringComparison.Ordinal));
        Assert.Contains("BRIGADE_RUN_RESTART_ADDED=DOTNET_gcConcurrent,DOTNET_GCgen0MaxBudget", user);

        // A .NET work type's run keeps the tool's GC: its own allocations would pay for a small budget.
        Assert.Equal(["DOTNET_TC_CallCounting=0", "BRIGADE_RUN_RESTARTED=1"], RunRestart.RestartVariables(commands: false, _ => null));
    }
}
