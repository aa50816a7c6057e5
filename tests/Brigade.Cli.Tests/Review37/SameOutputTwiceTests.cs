namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A second <c>brigade run</c> on the output a running one is writing stops in one line naming the first one's pid,
/// exit 2, touching nothing; the first one's output is whole. Before, two runs started together both failed, one with
/// "cannot write the journal 'out.txt.journal': no such file"; one started later was told to delete the live journal
/// ("a journal from an earlier, unfinished run exists ... delete it to start over"), and with <c>--resume</c> it wrote
/// into the same output as the first (review 37).
/// </summary>
public sealed class SameOutputTwiceTests
{
    // Item 3 waits for a go file: at a gate (a FIFO read in the run's directory, no process; until review 71 a `sleep 0.05`
    // poll, up to a minute), which the test lets a line through once the go file is there. The test host's end of the
    // gate closes with the test (or with the test host), and the read then ends: a failed test leaves no command waiting.
    private const string Command = "if [ {} = 3 ]; then [ -e go ] || read _ < gate; fi; echo out-{}";

    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SecondRun_OnARunningRunsOutput_IsRefusedInOneLine_NamingItsPid(bool resume)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using var gate = Gate.Make(dir)!;
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3\n4\n");
        string[] args = ["run", dir.File("in.txt"), "-x", Command, "-o", dir.File("out.txt"), "-q"];
        using var first = CliProcess.Start(dir.Path, state, args);
        var firstErr = first.StandardError.ReadToEndAsync();
        _ = first.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(dir.File("out.txt.journal")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        (int Code, string Stdout, string Stderr) second;
        try
        {
            second = await CliProcess.RunAsync(dir.Path, state, null, resume ? [.. args, "--resume"] : args);
        }
        finally
        {
            await File.WriteAllTextAsync(dir.File("go"), "");
            gate.Let(1);
            if (!first.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                first.Kill(entireProcessTree: true);
            }
        }

        await first.WaitForExitAsync();

        Assert.True(first.ExitCode == 0, await firstErr);
        Assert.Equal("out-1\nout-2\nout-3\nout-4\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        Assert.Equal(2, second.Code);
        Assert.Equal("", second.Stdout);
        Assert.Single(second.Stderr.TrimEnd().Split('\n'));
        Assert.Contains($"another brigade run (pid {first.Id}) is writing '{dir.File("out.txt")}'", second.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task TwoRuns_StartedTogether_OneRuns_TheOtherIsRefusedInOneLine()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n4\n");
        await File.WriteAllTextAsync(dir.File("go"), "");
        string[] args = ["run", dir.File("in.txt"), "-x", "sleep 0.3; echo out-{}", "-o", dir.File("out.txt"), "-q"];

        var runs = await Task.WhenAll(CliProcess.RunAsync(dir.Path, state, null, args), CliProcess.RunAsync(dir.Path, state, null, args));

        // Either both ran one after the other, or one was refused while the other ran: never a half-written output.
        Assert.Contains(runs, r => r.ExitCode == 0);
        foreach (var r in runs.Where(r => r.ExitCode != 0))
        {
            Assert.Equal(2, r.ExitCode);
            // Started together, the refused run may read the lock file between the other's lock and its pid being written
            // (RunLock: the pid is named only when it is there; ci149).
            Assert.Matches(@"^brigade: another brigade run (\(pid \d+\) )?is writing '", r.Stderr);
            Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        }

        Assert.Equal("out-1\nout-2\nout-4\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAfterARun_TheLockIsReleased()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");
        string[] args = ["run", dir.File("in.txt"), "-x", "echo out-{}", "-o", dir.File("out.txt"), "-q"];

        var first = await CliRunner.RunAsync(args);
        var second = await CliRunner.RunAsync(args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal("out-1\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }
}
