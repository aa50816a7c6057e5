using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>Ctrl+C, timeouts and kills: running commands are stopped (with their background children) and run again on resume.</summary>
public sealed class RunInterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Theory(Timeout = 90_000)]
    [InlineData(SigInt, "INT", 130)] // Ctrl+C at a terminal
    [InlineData(SigTerm, "TERM", 143)] // a supervisor (systemd, timeout, a CI runner) stopping the whole group
    public async Task Run_SignalToTheWholeProcessGroup_CommandsAreNotJournaledAsFailed_AndResumeRunsThem(int signal, string name, int exitCode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using var gate = Gate.Make(dir)!;
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 6).Select(i => $"item-{i}"));

        // Each command says it started (and whether the signal reached it), then waits until the test lets it go: the
        // signal lands mid-command. The wait is a read at a gate (a FIFO: no process; a trapped signal ends the read, after
        // its trap has marked it), not a `sleep 0.05` poll of the go file (a process start every 50 ms a command, until
        // review 71); the resume finds the go file and does not wait.
        var command = $"trap 'touch {dir.Path}/got-signal.{{#}}' {name}; : > {dir.Path}/started.{{#}}; [ -e {dir.Path}/go ] || {gate.Wait}; echo {{}}";
        // Not --quiet: the stop's own line is checked too (run64).
        string[] args = ["run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "-j", "6", "-e", "threads"];
        var reaper = 0;
        using (var brigade = CliProcess.StartInOwnGroup(dir.Path, args))
        {
            try
            {
                brigade.StandardInput.Close();
                await WaitUntilAsync(() => Directory.GetFiles(dir.Path, "started.*").Length == 6, brigade);
                reaper = ProcessTable.List().Where(p => p.Group == brigade.Id && p.Pid != brigade.Id && p.CommandLine.Contains("brigade-reaper", StringComparison.Ordinal)).Select(p => p.Pid).FirstOrDefault();
                Assert.True(reaper > 0, "brigade's reaper is not in its process group");

                // What a terminal does on Ctrl+C, or a supervisor on stop: the signal to every process of the group.
                Assert.True(NativeMethods.KillProcessGroup(brigade.Id, signal));
                await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                var stderr = await brigade.StandardError.ReadToEndAsync();
                Assert.True(brigade.ExitCode == exitCode, $"exit {brigade.ExitCode}: {stderr}");
                Assert.Contains("--resume", stderr, StringComparison.Ordinal);

                // Said as the stop began, before the summary (run64: nothing was said until the stop was over).
                var stopping = stderr.IndexOf($"brigade run: stopping (SIG{name}): starting no new items, ", StringComparison.Ordinal);
                Assert.True(stopping >= 0 && stopping < stderr.IndexOf("; interrupted.", StringComparison.Ordinal), stderr);
                Assert.Contains(signal == SigInt ? "; Ctrl+C again ends brigade at once" : $"; a second SIG{name} ends brigade at once", stderr, StringComparison.Ordinal);
            }
            finally
            {
                KillIfRunning(brigade);
            }
        }

        // The signal is brigade's to handle: it never reached the commands (brigade stopped them itself), and none is
        // left running. The reaper (which ignores the signal: ExecReaperScriptTests) left with brigade.
        Assert.Empty(Directory.GetFiles(dir.Path, "got-signal.*"));
        Assert.DoesNotContain(ProcessTable.List(), p => p.CommandLine.Contains($"{dir.Path}/go", StringComparison.Ordinal));
        Assert.Empty(await ProcessTable.WaitGoneAsync([reaper], ProcessTable.GoneBound));

        // Interrupted commands are not failures: nothing in the failures file, and resume runs them all.
        Assert.False(File.Exists(dir.File("out.txt.failures.jsonl")) && new FileInfo(dir.File("out.txt.failures.jsonl")).Length > 0,
            File.Exists(dir.File("out.txt.failures.jsonl")) ? await File.ReadAllTextAsync(dir.File("out.txt.failures.jsonl")) : "");
        await File.WriteAllTextAsync(dir.File("go"), "");
        // The resume is interrupted by nobody: in-process (CliRunner; a start of brigade per case until 2026-12-05).
        var (code, _, resumeErr) = await CliRunner.RunAsync([.. args, "--resume"]);
        Assert.True(code == 0, resumeErr);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"item-{i}"), await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_Timeout_CommandWhoseBackgroundChildHoldsItsOutput_FailsAtTheTimeout_AndTheChildDies()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        var clock = Stopwatch.StartNew();
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", $"sleep 60 & echo $! > {dir.Path}/bg.{{#}}; echo {{}}", "--timeout", "1s", "-o", dir.File("out.txt"), "-q");
        clock.Stop();

        Assert.True(code == 1, stderr);
        // Far from the 60 s the background child would hold the item (the bug), far above 1 s for a machine at load 40.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed.TotalSeconds:0.0} s with --timeout 1s");
        var failures = await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl"));
        Assert.Equal(2, failures.Length);
        Assert.All(failures, f => Assert.Contains("timed out after 1 s", f, StringComparison.Ordinal));
        if (OperatingSystem.IsLinux())
        {
            var children = Directory.GetFiles(dir.Path, "bg.*").Select(f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, children.Count);
            Assert.Empty(await ProcessTable.WaitGoneAsync(children, ProcessTable.GoneBound));
        }
    }

    [Theory(Timeout = 120_000)]
    [InlineData("sigkill")]
    [InlineData("sigint-group")]
    public async Task Run_Killed_BackgroundChildOfARunningCommand_DoesNotSurvive(string how)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        // The shell exits at once; its background child keeps the command's output open, so the item is still running.
        var command = $"sleep 30 & echo $! > {dir.Path}/bg.{{#}}; echo {{}}";
        var children = new List<int>();
        using var brigade = CliProcess.StartInOwnGroup(dir.Path, "run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "-j", "2", "-e", "threads", "-q");
        try
        {
            brigade.StandardInput.Close();
            await WaitUntilAsync(() => Directory.GetFiles(dir.Path, "bg.*").Count(f => new FileInfo(f).Length > 0) == 2, brigade);
            await Task.Delay(100);
            children = Directory.GetFiles(dir.Path, "bg.*").Select(f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.All(children, pid => Assert.True(ProcessTable.IsAlive(pid)));

            if (how == "sigkill")
            {
                brigade.Kill();
            }
            else
            {
                NativeMethods.KillProcessGroup(brigade.Id, SigInt);
            }

            await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var left = await ProcessTable.WaitGoneAsync(children, ProcessTable.GoneBound);
            Assert.True(left.Count == 0, $"background children still running {ProcessTable.GoneBound.TotalSeconds:0} s after brigade was stopped ({how}): {string.Join(", ", left)}");
        }
        finally
        {
            KillIfRunning(brigade);
            ProcessTable.KillAll(children);
        }
    }

    // A brigade that did not stop when it should have is not left running (with its commands) after the test.
    private static void KillIfRunning(Process brigade)
    {
        try
        {
            if (!brigade.HasExited)
            {
                brigade.Kill(); // SIGKILL: its reaper kills its commands' groups
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Process brigade)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (brigade.HasExited)
            {
                throw new InvalidOperationException($"brigade exited early ({brigade.ExitCode}): {await brigade.StandardError.ReadToEndAsync()}");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the commands did not start within 30 s");
            await Task.Delay(25);
        }
    }
}
