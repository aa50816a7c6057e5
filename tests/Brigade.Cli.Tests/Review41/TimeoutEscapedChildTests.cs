using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review41;

/// <summary>
/// A timed-out command whose output a process outside its group holds open (<c>setsid sleep 100 &amp; echo x</c>) failed
/// its attempt 5 s after its timeout: brigade killed the command's group, then waited a fixed 5 s for the output to
/// close, which nothing in the group held any more. The group cannot be asked of the kernel (<c>kill(-group, 0)</c>
/// succeeds while the first process's zombie is there, and brigade keeps that zombie until the output closes), so brigade
/// now reads the group's live members from /proc and gives up on the output once there are none.
/// </summary>
public sealed class TimeoutEscapedChildTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(null)]
    [InlineData("process")]
    public async Task Timeout_OutputHeldByAProcessThatLeftTheGroup_FailsSoonAfterTheTimeout_NotFiveSecondsLate(string? spawn)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var pidFile = Path.Combine(dir.Path, "escaped.pid");

        // The bug's side, lengthened: the wait for a killed command's output is 40 s here on both paths (5 s by default),
        // so an attempt that waited it out (the escaped sleep lives 41.5-41.6 s) takes 41 s against a bound of 20 s.
        ExecRunner.KilledOutputWaitOverride.Value = TimeSpan.FromSeconds(40);
        ExecSpawner.KillWaitOverride.Value = TimeSpan.FromSeconds(40);
        var bound = TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();
        ExecFailedException e;
        try
        {
            e = spawn is null
                ? await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync($"setsid sleep 41.5 & echo $! > '{pidFile}'; echo x", TimeSpan.FromSeconds(1), CancellationToken.None))
                : await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunThroughProcessAsync(new RenderedCommand($"setsid sleep 41.6 & echo $! > '{pidFile}'; echo x"), TimeSpan.FromSeconds(1), null, passFailure: false, CancellationToken.None));
        }
        finally
        {
            // setsid, not a group leader, runs sleep in place: the pid written is sleep's.
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var escaped))
            {
                try
                {
                    using var p = Process.GetProcessById(escaped);
                    p.Kill();
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }

        clock.Stop();
        Assert.Contains("timed out after 1 s", e.Message, StringComparison.Ordinal);
        // What it wrote in time is kept, as for any timed-out command (it was dropped on the spawner's path when the checks
        // came before the event loop had closed the abandoned pipes, and always on the older Process path).
        Assert.Equal("x\n", System.Text.Encoding.UTF8.GetString(e.Output ?? []));

        // Before: at least 1 s + the wait (40 s here). Now about 1.1 s.
        Assert.True(clock.Elapsed < bound, $"the attempt failed {clock.Elapsed.TotalSeconds:0.0} s after it started (timeout 1 s, bound {bound.TotalSeconds:0.0} s)");
    }

    [Fact(Timeout = 60_000)]
    public async Task Timeout_BackgroundChildInTheGroup_IsKilled_AndItsOutputSoFarKept()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        // A background child in the group holding the output: killed with the group, its pipes close, nothing abandoned.
        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync("sleep 41.7 & echo before; wait", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
        Assert.Equal("before\n", System.Text.Encoding.UTF8.GetString(e.Output ?? []));
        Assert.Empty(await ProcessTable.WaitGoneAsync(ProcessTable.List().Where(p => p.CommandLine.Contains("sleep 41.7", StringComparison.Ordinal)).Select(p => p.Pid).ToList(), ProcessTable.GoneBound));
    }
}
