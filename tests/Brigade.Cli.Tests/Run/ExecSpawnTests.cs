using System.Diagnostics;
using System.Globalization;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// Commands started without a wrapper (Linux): a simple command runs as its program, anything the shell would
/// interpret through /bin/sh; each in a session of its own, with its exit status and CPU time from wait4.
/// </summary>
public sealed class ExecSpawnTests
{
    [Theory]
    [InlineData("echo item 42", new[] { "echo", "item", "42" })]
    [InlineData("echo item 'a b'", new[] { "echo", "item", "a b" })]
    [InlineData("printf-free 'it'\\''s'", null)] // a backslash outside quotes: the shell's
    [InlineData("grep -c 'x y' \"plain text\" ''", new[] { "grep", "-c", "x y", "plain text", "" })]
    [InlineData("dd if=/dev/zero of=/dev/null count=1", new[] { "dd", "if=/dev/zero", "of=/dev/null", "count=1" })]
    [InlineData("date +%s", new[] { "date", "+%s" })]
    [InlineData("awk '{print $1}' file", new[] { "awk", "{print $1}", "file" })]
    [InlineData("  sleep   0.1  ", new[] { "sleep", "0.1" })]
    [InlineData("echo a | tr a b", null)]
    [InlineData("echo a > out", null)]
    [InlineData("echo a; echo b", null)]
    [InlineData("echo a && echo b", null)]
    [InlineData("sleep 1 &", null)]
    [InlineData("echo $HOME", null)]
    [InlineData("echo \"$HOME\"", null)]
    [InlineData("echo `date`", null)]
    [InlineData("ls *.txt", null)]
    [InlineData("ls ~", null)]
    [InlineData("echo a # comment", null)]
    [InlineData("X=1 env", null)]
    [InlineData("cd /tmp", null)]
    [InlineData("printf '%s\\n' a", null)]
    [InlineData("test -f x", null)]
    [InlineData("if true; then echo a; fi", null)]
    [InlineData("echo {a,b}", null)]
    [InlineData("echo -n a", null)] // echo's options differ between shells and /bin/echo
    [InlineData("echo 'a\\nb'", null)] // so do its backslashes
    [InlineData("echo 'unclosed", null)]
    [InlineData("echo a\nb", null)]
    [InlineData("true", new[] { "true" })]
    [InlineData("''", null)]
    public void TrySplit_RunsSimpleCommandsDirectly_AndGivesEverythingElseToTheShell(string command, string[]? expected)
    {
        Assert.Equal(expected, ExecCommandLine.TrySplit(command));
    }

    [Fact]
    public void TrySplit_BytesThatAreNotUtf8_GoThroughTheShell()
    {
        var item = ByteText.Decode([0x63, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "cé.txt" in Latin-1
        Assert.Null(ExecCommandLine.TrySplit("cat " + CommandTemplate.Quote(item)));
    }

    [Fact(Timeout = 30_000)]
    public async Task DirectCommand_RunsInASessionOfItsOwn_WithDefaultSigpipe_AndNoShell()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        // pid, process group and session of the command itself: one process, leading both.
        var (output, _, _) = await ExecRunner.RunAsync("cut -d ' ' -f 1,4,5,6 /proc/self/stat", null, CancellationToken.None);
        var fields = System.Text.Encoding.UTF8.GetString(output).Trim().Split(' ').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(fields[0], fields[2]);
        Assert.Equal(fields[0], fields[3]);
        Assert.Equal(Environment.ProcessId, fields[1]); // started by brigade itself: no shell, no setsid in between

        var (status, _, _) = await ExecRunner.RunAsync("grep SigIgn /proc/self/status", null, CancellationToken.None);
        var ignored = ulong.Parse(System.Text.Encoding.UTF8.GetString(status).Split(':')[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.True((ignored & (1UL << 12)) == 0, $"SIGPIPE is ignored in the command (SigIgn {ignored:x})");
    }

    // 10,000,000 iterations: ~0.15 s of awk's CPU on the 2-core CI machine (three times the 50 ms asked; load does not
    // shrink CPU time), half the 20,000,000 until suite72; a command's CPU not counted reads as near zero (no wait4 rusage).
    [Theory(Timeout = 30_000)]
    [InlineData("awk 'BEGIN { for (i = 0; i < 10000000; i++) s += i; print s }'")] // direct
    [InlineData("awk 'BEGIN { for (i = 0; i < 10000000; i++) s += i; print s }' | cat")] // through the shell: its children count
    public async Task CpuTime_IsTheCommandsOwn_FromWait4(string command)
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        var (output, cpu, _) = await ExecRunner.RunAsync(command, null, CancellationToken.None);
        Assert.NotEmpty(output);
        Assert.NotNull(cpu);
        Assert.True(cpu > TimeSpan.FromMilliseconds(50), $"CPU time {cpu}");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("perl -e 'exit 130'", "exit code 130")] // run directly: its own exit code, not SIGINT
    [InlineData("perl -e 'kill 15, $$; sleep 5'", "exit code 143 (signal 15, SIGTERM)")] // run directly, killed: the wait status says
    [InlineData("perl -e 'exit 130' | cat; exit 130", "exit code 130 (signal 2, SIGINT)")] // the shell's 128 + N reads as a signal
    public async Task ExitCodesAbove128_AreSignalsOnlyWhenTheWaitStatusOrTheShellSaysSo(string command, string expected)
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync(command, null, CancellationToken.None));
        Assert.Equal(expected, e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task MissingProgram_RunDirectly_Exits127_CommandNotFound_LikeTheShell()
    {
        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync("no-such-binary-brigade 1", null, CancellationToken.None));
        Assert.Equal(127, e.ExitCode);
        Assert.StartsWith("exit code 127: command not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-binary-brigade", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptWithoutInterpreterLine_RunsThroughTheShell_AsItWouldUnderSh()
    {
        if (!ExecSpawner.IsAvailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var script = dir.File("plain-script");
        await File.WriteAllTextAsync(script, "echo from-script\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (output, _, _) = await ExecRunner.RunAsync(script, null, CancellationToken.None);
        Assert.Equal("from-script\n", System.Text.Encoding.UTF8.GetString(output));
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptWithoutInterpreterLine_ItsExitAbove128_ReadsAsTheShellsReportOfASignal()
    {
        if (!ExecSpawner.IsAvailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        // The shell runs it (review 29d F6): its 143 is its last command's, killed by SIGTERM, as on the shell path.
        using var dir = new TempDirectory();
        var script = dir.File("killed-child");
        await File.WriteAllTextAsync(script, "perl -e 'kill 15, $$; sleep 5'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync(script, null, CancellationToken.None));
        Assert.StartsWith("exit code 143 (signal 15, SIGTERM)", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Failure_ExitCodeAndStderrTail_AreReported()
    {
        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync("ls /no/such/dir/brigade", null, CancellationToken.None));
        Assert.Equal(2, e.ExitCode);
        Assert.StartsWith("exit code 2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/dir/brigade", e.StderrTail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Timeout_DirectCommand_IsKilledWithItsGroup()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync("sleep 30.25", TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Contains("timed out after 0.3 s (process group killed)", e.Message, StringComparison.Ordinal);
        // Far from the 30 s the command would take if the timeout did not kill it; a loaded machine stretches the rest.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.DoesNotContain(ProcessTable.List(), p => p.CommandLine.Contains("sleep 30.25", StringComparison.Ordinal));
    }

    [Fact(Timeout = 90_000)]
    public async Task Cancellation_KillsTheCommand_AndThrowsOperationCanceled()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExecRunner.RunAsync("sleep 30.35", null, cancel.Token));
        Assert.Empty(await ProcessTable.WaitGoneAsync(ProcessTable.List().Where(p => p.CommandLine.Contains("sleep 30.35", StringComparison.Ordinal)).Select(p => p.Pid).ToList(), ProcessTable.GoneBound));
    }

    [Fact(Timeout = 90_000)]
    public async Task FirstProcessExitedWhileItsOutputIsOpen_StaysUnreaped_SoItsGroupIdIsNotReused_AndCancelStillKillsTheGroup()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        // The shell exits at once; its background child, in its group, keeps the command's output open. Were the shell
        // reaped now, its id (the group's id) could be reused by any new process, and a kill of the group at the
        // timeout or on Ctrl+C would hit that stranger: it must stay a zombie until the command is over.
        using var dir = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var ids = dir.File("ids");
        var run = ExecRunner.RunAsync($"sleep 30.45 & echo $$ $! > {ids}.tmp; mv {ids}.tmp {ids}", null, cancel.Token);
        var pids = new List<int>();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(ids))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the command did not start within 20 s");
                Assert.False(run.IsCompleted, "the command ended early");
                await Task.Delay(20);
            }

            pids = (await File.ReadAllTextAsync(ids)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
            var (leader, background) = (pids[0], pids[1]);
            var state = WaitUntilExited(leader, TimeSpan.FromSeconds(20));
            Assert.True(state == 'Z', $"the command's first process ({leader}) {(state == '-' ? "was reaped" : $"is in state {state}")} while its output was still open");
            Assert.True(ProcessTable.IsAlive(background));
            Assert.False(run.IsCompleted);

            // Interrupted: the group is killed (background child included), then the first process is reaped.
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Empty(await ProcessTable.WaitGoneAsync([background], ProcessTable.GoneBound));
            Assert.False(File.Exists($"/proc/{leader}/stat") && ReadState(leader) == 'Z', "the first process was not reaped once the command was over");
        }
        finally
        {
            ProcessTable.KillAll(pids.Skip(1));
        }
    }

    // The state letter of the process once it is no longer running ('Z': exited, not reaped; '-': gone, reaped).
    private static char WaitUntilExited(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        char state;
        while ((state = ReadState(pid)) is not ('Z' or '-') && clock.Elapsed < within)
        {
            Thread.Sleep(20);
        }

        return state;
    }

    private static char ReadState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (IOException)
        {
            return '-';
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Reaper_ListsTheCommandWhileItRuns_AndFreesItsSlotAfter()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        // Watched until it shows, not read once after a fixed 200 ms: at load, or beside the other tests' commands, the
        // spawn alone took longer (ci111: five free slots, no command yet).
        var running = ExecRunner.RunAsync("sleep 2", null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var listed = false;
        while (!listed && !running.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            listed = ExecReaper.Snapshot().Contains('G');
            await Task.Delay(10);
        }

        Assert.True(listed, $"the running command was never listed: {ExecReaper.Snapshot()}");
        await running;
        await Task.Delay(50);
        Assert.True(ExecReaper.IsRunning);
    }

    [Fact(Timeout = 90_000)]
    public async Task Run_KilledWithSigkill_CommandsStartedWithoutAShell_DoNotOutliveIt()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);
        var tag = $"40.{Random.Shared.Next(100, 999)}";
        using var brigade = CliProcess.Start(dir.Path, "run", dir.File("in.txt"), "--exec", $"sleep {tag}{{}}", "-e", "threads", "-j", "2", "-q", "-o", dir.File("out.txt"));
        var commands = new List<int>();
        try
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                commands = ProcessTable.List().Where(p => p.ParentPid == brigade.Id && p.CommandLine.StartsWith("sleep " + tag, StringComparison.Ordinal)).Select(p => p.Pid).ToList();
                if (commands.Count == 2)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.True(commands.Count == 2, $"the commands did not start as brigade's own children: {commands.Count}");
            brigade.Kill(); // SIGKILL: brigade runs no code of its own from here.
            await brigade.WaitForExitAsync();
            var left = await ProcessTable.WaitGoneAsync(commands, ProcessTable.GoneBound);
            Assert.True(left.Count == 0, $"still running {ProcessTable.GoneBound.TotalSeconds:0} s after brigade was killed: {string.Join(", ", left)}");
        }
        finally
        {
            ProcessTable.KillAll(commands);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_SignalsInTheCommand_IgnoredStayIgnored_HandledAndSigpipeAreDefault()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        // brigade started with SIGUSR1 ignored and SIGINT at its default (which the runtime then handles): the command
        // inherits the ignored SIGUSR1, as under a shell, and gets SIGINT and SIGPIPE (which .NET ignores) at their default.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "/proc/self/status\n");
        var psi = new ProcessStartInfo("env") { WorkingDirectory = dir.Path, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--ignore-signal=USR1", "--default-signal=INT", "dotnet", CliProcess.CliDll, "run", "in.txt", "-x", "grep SigIgn {}", "-q", "-o", "out.txt" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        var ignored = ulong.Parse((await File.ReadAllTextAsync(dir.File("out.txt"))).Split(':')[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.True((ignored & (1UL << 9)) != 0, $"SIGUSR1 is not ignored in the command (SigIgn {ignored:x})");
        Assert.True((ignored & ((1UL << 1) | (1UL << 12))) == 0, $"SIGINT or SIGPIPE is ignored in the command (SigIgn {ignored:x})");
    }
}
