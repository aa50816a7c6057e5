using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review45;

/// <summary>
/// A command that leaves a process in the background with its output on brigade's pipe (<c>sleep 60 &amp; echo hi</c>, a
/// server started with <c>&amp;</c>) keeps its item running until that process closes the output, as a shell's
/// <c>$(...)</c> waits (GNU parallel does not wait, and drops what the process writes later; xargs does not capture).
/// That wait was silent: without <c>--timeout</c> the run seemed to hang for as long as the daemon lived. Brigade now
/// says which process holds the output and what to do, once, a while after the command's first process exited.
/// </summary>
public sealed class BackgroundHolderNoticeTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACommandWhoseBackgroundChildHoldsItsOutput_IsNamed_AndItsOutputKept(bool olderPath)
    {
        if (!OperatingSystem.IsLinux() || (!olderPath && !ExecSpawner.IsAvailable))
        {
            return;
        }

        var notices = new List<string>();
        var linger = new LingerNotice(TimeSpan.FromSeconds(0.5), holders => { lock (notices) { notices.Add(holders); } });
        var command = new RenderedCommand("{ sleep 3.45; echo late; } & echo now");
        var clock = Stopwatch.StartNew();
        var (output, _, _) = olderPath
            ? await ExecRunner.RunThroughProcessAsync(command, null, null, passFailure: false, linger, CancellationToken.None)
            : await ExecRunner.RunAsync(command, null, null, passFailure: false, linger, CancellationToken.None);

        // Waited for the background child, kept what it wrote, and said once which process held the output.
        Assert.Equal("now\nlate\n", System.Text.Encoding.UTF8.GetString(output));
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(3), $"ended after {clock.Elapsed.TotalSeconds:0.0} s");
        var notice = Assert.Single(notices);
        Assert.Matches("^pid [0-9]+ \\((sleep|sh)\\)", notice);
    }

    [Fact(Timeout = 60_000)]
    public async Task ACommandWhoseOutputClosesWithIt_IsNotNamed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var notices = new List<string>();
        var linger = new LingerNotice(TimeSpan.FromSeconds(0.5), holders => { lock (notices) { notices.Add(holders); } });
        var (output, _, _) = await ExecRunner.RunAsync(new RenderedCommand("sleep 1.45 >/dev/null 2>&1 & echo now"), null, null, passFailure: false, linger, CancellationToken.None);

        // Not a fixed wait for a notice that should not come (at load the 0.5 s timer could fire after any such wait): a
        // second command, started after the first ended, leaves its output held; its notice, due later than the first
        // command's would have been, is the progress that comes first. Its background child holds the output until that
        // notice (a file the notice creates), not for a fixed 1.44 s: at load the command's shell exited so late that the
        // child ended before the notice was due, and no notice came (ci183).
        using var dir = new TempDirectory();
        var noticed = dir.File("noticed");
        var heldNotices = new List<string>();
        var held = new LingerNotice(TimeSpan.FromSeconds(0.5), holders =>
        {
            lock (heldNotices)
            {
                heldNotices.Add(holders);
            }

            File.WriteAllText(noticed, "");
        });
        var (heldOutput, _, _) = await ExecRunner.RunAsync(
            new RenderedCommand($"{{ i=0; while [ ! -e '{noticed}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; }} & echo held"),
            null, null, passFailure: false, held, CancellationToken.None);

        Assert.Equal("held\n", System.Text.Encoding.UTF8.GetString(heldOutput));
        lock (heldNotices)
        {
            Assert.Single(heldNotices);
        }

        Assert.Equal("now\n", System.Text.Encoding.UTF8.GetString(output));
        lock (notices)
        {
            Assert.Empty(notices);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_ACommandLeavingADaemonOnItsOutput_SaysSoOnStderr_InOneLine_UnlessQuiet()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a"]);

        // The default wait before the notice (10 s): the daemon lives 12 s. The quiet run waits as long for its own
        // daemon, so the two run side by side (each in its own state: different commands, different journals).
        var loud = CliProcess.RunAsync(dir.Path, null, null, TimeSpan.FromSeconds(100), "run", "in.txt", "-x", "sleep 12.45 & echo started {}");
        var quietRun = CliProcess.RunAsync(dir.Path, null, null, TimeSpan.FromSeconds(100), "run", "in.txt", "-x", "sleep 11.45 & echo started {}", "-q");
        var (code, stdout, stderr) = await loud;

        Assert.True(code == 0, stderr);
        Assert.Equal("started a\n", stdout);
        var line = Assert.Single(stderr.Split('\n'), l => l.Contains("still holds its output", StringComparison.Ordinal));
        Assert.Matches("^brigade run: item 0 \\(line 1\\): its command exited 10 s ago, but a process it left in the background \\(pid [0-9]+ \\(sleep\\)\\) still holds its output open; the item ends when that closes it", line);
        Assert.Contains("'server > log 2>&1 &', or give --timeout", line, StringComparison.Ordinal);

        Assert.Equal((0, "started a\n", ""), await quietRun);
    }
}
