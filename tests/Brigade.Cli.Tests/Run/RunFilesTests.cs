using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>brigade run's files: colliding paths, missing directories, devices, full disks, and what --resume accepts.</summary>
public sealed class RunFilesTests
{
    private static string[] Run(string input, string output, params string[] more) =>
        ["run", input, "--exec", "echo {}", "-o", output, "-q", .. more];

    private static void AssertOneLine(string stderr, string expected)
    {
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("same")]
    [InlineData("symlink")]
    [InlineData("hardlink")]
    [InlineData("dotted")]
    public async Task Run_OutputIsTheInput_UsageError_InputUntouched(string how)
    {
        // Regression: -o = the input truncated it to 0 bytes, then said "0 items", exit 0.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        var output = how switch
        {
            "symlink" => Link(dir, "out.txt", symbolic: true),
            "hardlink" => Link(dir, "out.txt", symbolic: false),
            "dotted" => Path.Combine(dir.Path, ".", "sub", "..", "in.txt"),
            _ => dir.File("in.txt"),
        };
        if (how == "dotted")
        {
            Directory.CreateDirectory(dir.File("sub"));
        }

        var (code, _, stderr) = await CliRunner.RunAsync(Run(dir.File("in.txt"), output));

        Assert.Equal(2, code);
        AssertOneLine(stderr, "is the input file");
        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(dir.File("in.txt")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.journal*"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.failures.jsonl"));
    }

    [Theory]
    [InlineData("--failures", "out.txt", "--output and --failures are the same file")]
    [InlineData("--journal", "out.txt", "--output and --journal are the same file")]
    [InlineData("--journal", "in.txt", "--journal is the input file")]
    [InlineData("--failures", "in.txt", "--failures is the input file")]
    [InlineData("--report", "out.txt", "--output and --report are the same file")]
    public async Task Run_TwoPathsAreTheSameFile_UsageError_NothingTouched(string option, string path, string expected)
    {
        // Regression: --failures = -o overwrote the results; --journal = -o deleted the output at the end, exit 0.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        await File.WriteAllTextAsync(dir.File("out.txt"), "earlier results\n");

        var (code, _, stderr) = await CliRunner.RunAsync(Run(dir.File("in.txt"), dir.File("out.txt"), option, dir.File(path)));

        Assert.Equal(2, code);
        AssertOneLine(stderr, expected);
        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(dir.File("in.txt")));
        Assert.Equal("earlier results\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        Assert.Equal(["in.txt", "out.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("-o", "missing/out.txt")]
    [InlineData("--failures", "missing/f.jsonl")]
    [InlineData("--journal", "missing/j.journal")]
    public async Task Run_PathInMissingDirectory_UsageErrorNamingIt_AndTheCorrectedCommandRuns(string option, string path)
    {
        // Regression: a --failures path in a missing directory left a header-only journal that refused the corrected command.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        string[] args = option == "-o"
            ? Run(dir.File("in.txt"), dir.File(path))
            : Run(dir.File("in.txt"), dir.File("out.txt"), option, dir.File(path));

        var (code, _, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        AssertOneLine(stderr, $"directory '{dir.File("missing")}' does not exist");
        Assert.Equal(["in.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));

        Directory.CreateDirectory(dir.File("missing"));
        (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public async Task Run_OutputToDevNull_Runs_AndLeavesNoJournalInDev()
    {
        // Regression (issue 14): IOException from SetLength on a character device, and a /dev/null.journal left behind.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // In-process (CliRunner; two starts of brigade until 2026-12-05): the journal goes to the test host's state
        // directory, under a name of this run's own (RunPaths), which is checked gone.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        var journal = RunPaths.Resolve(dir.File("in.txt"), "/dev/null", null, null, null, null, "exec:true").Journal!;
        Assert.StartsWith(Path.Combine(RunFiles.StateDirectory(), "journals"), journal, StringComparison.Ordinal);

        for (var run = 0; run < 2; run++)
        {
            var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "true", "-o", "/dev/null");
            Assert.True(code == 0, stderr);
        }

        Assert.False(File.Exists("/dev/null.journal"));
        Assert.False(File.Exists("/dev/null.failures.jsonl"));
        // The journal is gone; only the small record that the run finished is kept (for --resume).
        Assert.False(File.Exists(journal), journal);
        Assert.True(File.Exists(CompletionRecord.PathFor(journal)), $"no record of the finished run at {CompletionRecord.PathFor(journal)}");
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_OutputToDevNull_Interrupted_ResumesWithItsJournalInTheStateDirectory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using var gate = Gate.Make(dir)!;
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 40).Select(i => $"{i}"));
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };

        // Items past 20 wait for a go file, so the run is interrupted with half its items done: at a gate (a FIFO read, no
        // process; a `sleep 0.05` poll of the go file until review 71) that nothing opens, so they wait until brigade is
        // killed; the resume finds the go file.
        string[] args = ["run", dir.File("in.txt"), "-x", $"[ {{}} -le 20 ] || [ -e {dir.Path}/go ] || {gate.Wait}; echo {{}} >> {dir.Path}/ran.log", "-o", "/dev/null", "-e", "threads", "-j", "4", "-q"];
        using (var brigade = CliProcess.Start(dir.Path, state, args))
        {
            brigade.StandardInput.Close();
            // Killed once the journal says the first 20 are done (a watermark up to item 20), not a fixed 300 ms after
            // they ran: a loaded machine's watermark came later, and the resume below ran them again.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!WatermarkUpTo20(dir) && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            Assert.True(WatermarkUpTo20(dir), "no watermark past the first 20 items within 60 s");
            brigade.Kill();
            await brigade.WaitForExitAsync();
        }

        var journal = Assert.Single(Directory.GetFiles(dir.File("state"), "*.journal", SearchOption.AllDirectories));
        Assert.StartsWith(Path.Combine(dir.File("state"), "brigade", "journals"), journal, StringComparison.Ordinal);

        // The resume is interrupted by nobody: in-process (CliRunner; a start of brigade until 2026-12-05), where the
        // state directory is the test host's. The journal moves there under the same name (the name does not depend on
        // the state directory: the same command finds it), which RunPaths names for this run.
        var hostJournal = RunPaths.Resolve(dir.File("in.txt"), "/dev/null", null, null, null, null, "exec:" + args[3], resume: true).Journal!;
        Assert.Equal(Path.GetFileName(journal), Path.GetFileName(hostJournal));
        Directory.CreateDirectory(Path.GetDirectoryName(hostJournal)!);
        File.Move(journal, hostJournal);
        await File.WriteAllTextAsync(dir.File("go"), "");
        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(hostJournal));
        var ran = (await File.ReadAllLinesAsync(dir.File("ran.log"))).Select(int.Parse).ToList();
        Assert.Equal(Enumerable.Range(1, 40), ran.Distinct().Order());
        Assert.Equal(20, ran.Count(i => i <= 20)); // items done before the interruption did not run again
    }

    [Fact]
    public async Task Run_OutputToAFullDisk_FailsInOneLineNamingIt_AndDoesNotBlockTheNextRun()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        // In-process (CliRunner): the exit code and the one line are the same from a process (two starts until 2026-12-05).
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");

        for (var run = 0; run < 2; run++)
        {
            var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", "/dev/full", "-q");
            Assert.Equal(1, code);
            AssertOneLine(stderr, "cannot write --output '/dev/full': No space left on device");
        }
    }

    [Fact]
    public async Task Run_OutputFullWhileCommandsRun_StopsInOneLine_AndExits()
    {
        // The stop with commands still running: the result whose write fails is delivered on the worker that finished
        // it, and the run's abort, from there, ends the running commands. Their batches were recorded as not run on that
        // thread, behind the delivery it was in: brigade hung for good (the broken-pipe CI hang). 2,000 commands, -j 8.
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        // In-process (CliRunner; a start of brigade until 2026-12-05), with a bound: the hang this guards against would
        // otherwise hold the test forever.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Repeat("1", 2_000));

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "seq {} 400", "-j", "8", "-o", "/dev/full", "-q").WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, code);
        AssertOneLine(stderr, "cannot write --output '/dev/full': No space left on device");
    }

    [Theory]
    [InlineData("output deleted", "is gone")]
    [InlineData("output truncated", "has 0 bytes")]
    [InlineData("input edited", "changed since the interrupted run")]
    [InlineData("other format", "it read the input as --format lines, this run as --format jsonlines")]
    [InlineData("other command", "belongs to a different run")]
    [InlineData("unordered", "belongs to a different run")]
    public async Task Resume_WhatWouldGiveWrongOutput_IsRefused(string change, string expected)
    {
        // Regression: output deleted -> 247/400 lines, exit 0; input edited -> stale and new lines mixed; another
        // --format -> every item failed.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 30).Select(i => $"{i}"));
        const string Command = "test {} -ne 12 && echo {}";
        string[] Args(string command = Command) => ["run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "-e", "sequential", "--fail-fast", "-q"];

        // --fail-fast stops at item 12 and keeps the journal: a run to resume.
        var (code, _, stderr) = await CliRunner.RunAsync(Args());
        Assert.True(code == 1, stderr);
        Assert.True(File.Exists(dir.File("out.txt.journal")));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"{i}"), await File.ReadAllLinesAsync(dir.File("out.txt")));

        string[] resume = [.. Args(), "--resume"];
        switch (change)
        {
            case "output deleted":
                File.Delete(dir.File("out.txt"));
                break;
            case "output truncated":
                await File.WriteAllTextAsync(dir.File("out.txt"), "");
                break;
            case "input edited":
                await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 30).Select(i => $"{i * 10}"));
                break;
            case "other format":
                resume = [.. resume, "--format", "jsonlines"];
                break;
            case "other command":
                resume = [.. Args("echo {}"), "--resume"];
                break;
            case "unordered":
                resume = [.. resume, "--unordered"];
                break;
        }

        var journal = await File.ReadAllBytesAsync(dir.File("out.txt.journal"));
        (code, _, stderr) = await CliRunner.RunAsync(resume);

        Assert.Equal(2, code);
        AssertOneLine(stderr, expected);
        Assert.Equal(journal, await File.ReadAllBytesAsync(dir.File("out.txt.journal")));
    }

    [Fact]
    public async Task Resume_InputGrewAtTheEnd_RunsTheNewItemsToo()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 20).Select(i => $"{i}"));
        string[] args = ["run", dir.File("in.txt"), "--exec", "test {} -ne 12 && echo {}", "-o", dir.File("out.txt"), "-e", "sequential", "--fail-fast", "-q"];
        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 1, stderr);

        await File.AppendAllLinesAsync(dir.File("in.txt"), ["21"]);
        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, stderr);
        Assert.Equal(Enumerable.Range(1, 21).Where(i => i != 12).Select(i => $"{i}"), await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    // The run's journal (in the state directory) has a watermark past item 20: items 21 and on wait for a go file, so
    // it goes no further.
    private static bool WatermarkUpTo20(TempDirectory dir) =>
        Directory.Exists(dir.File("state"))
        && Directory.GetFiles(dir.File("state"), "*.journal", SearchOption.AllDirectories).Any(j => File.ReadAllText(j).Contains("\"upto\":20", StringComparison.Ordinal));

    private static string Link(TempDirectory dir, string name, bool symbolic)
    {
        var path = dir.File(name);
        if (symbolic)
        {
            File.CreateSymbolicLink(path, dir.File("in.txt"));
        }
        else
        {
            using var ln = System.Diagnostics.Process.Start("ln", [dir.File("in.txt"), path]);
            ln.WaitForExit();
        }

        return path;
    }

    [Fact]
    public async Task StdoutReaderGoesAway_TheRunStopsQuietly_NotExitZeroWithResultsGoneNowhere()
    {
        // `brigade run ... | head -1`: .NET's console drops writes to a broken pipe without a word, and the run went on to
        // the end and exited 0. 2,000 commands of ~1.5 KB each: far more than a pipe holds once its reader is gone. The
        // pipe is the shell's, as in a user's pipeline (not one this test host holds, whose other children could keep its
        // read end open while they start). The run then stops with commands still running, which once hung brigade for
        // good (OrderedStreamSink.OnNotRun waited for the delivery its own thread was in; see OrderedStreamTests).
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Repeat("1", 2_000));
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("dotnet \"$0\" run in.txt --exec 'seq {} 400' -q | head -1 > /dev/null; echo \"${PIPESTATUS[0]}\"");
        psi.ArgumentList.Add(CliProcess.CliDll);

        using var shell = System.Diagnostics.Process.Start(psi)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var text = await stderr;
        // As a tool SIGPIPE kills, and GNU parallel: exit 141 and nothing said (review 39; before, "brigade: cannot write
        // --output '-': Broken pipe" and exit 1, as if the run had failed).
        Assert.Equal("141", (await stdout).Trim());
        Assert.DoesNotContain("Broken pipe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
