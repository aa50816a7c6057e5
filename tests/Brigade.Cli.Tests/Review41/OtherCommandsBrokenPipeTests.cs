namespace Brigade.Cli.Tests.Review41;

/// <summary>
/// Output into a pipe whose reader left ends every command with 141 (128 + SIGPIPE), quietly: <c>brigade run</c> and
/// every command's help did (reviews 39, 39b), while <c>brigade demo --quick | head -1</c> ran every scene into the void
/// and exited 0, and <c>brigade doctor PID | head -1</c> exited 0: they wrote to .NET's console, which drops writes to a
/// broken pipe without a word.
/// </summary>
public sealed class OtherCommandsBrokenPipeTests
{
    [Theory(Timeout = 120_000)]
    [InlineData("demo --list")]
    [InlineData("demo --quick --only sleeping-task")]
    [InlineData("demo --quick --json --only sleeping-task")]
    public async Task OutputIntoAPipeWhoseReaderLeft_Exits141_Quietly(string args)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The reader closes its end before brigade starts (it says so through a FIFO): `brigade demo | head -1` without the race.
        using var dir = new TempDirectory();
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"mkfifo gone; (read -r _ < gone; exec dotnet \"$0\" {args}) | (exec 0<&-; echo > gone); echo \"${{PIPESTATUS[0]}}\"");
        psi.ArgumentList.Add(CliProcess.CliDll);

        using var shell = System.Diagnostics.Process.Start(psi)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(110));

        Assert.Equal("141", (await stdout).Trim());
        Assert.Equal("", await stderr);
    }

    // Review 45 (a leftover of 41): --json writes its document only at the end, so the demo ran every scene into the
    // closed pipe before its one write met it. The reader is now looked for where a scene's line would be written, before
    // each scene: none runs. Seen by what a scene does, not by the time it takes: sleeping-task starts two worker
    // processes (they sleep 1 + 1 s), watched for through a marker in their environment. The time (these two scenes
    // sleep at least 9.2 s) told them apart on a quiet machine, but at load 66-76 brigade's start alone took 11-13 s.
    [Fact(Timeout = 120_000)]
    public async Task DemoJson_IntoAPipeWhoseReaderLeft_RunsNoScene_Exits141()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("mkfifo gone; (read -r _ < gone; s=$(date +%s%N); dotnet \"$0\" demo --quick --json --only sleeping-task,blocking-io; c=$?; echo \"$c $(( ($(date +%s%N) - s) / 1000000 ))\" >&2) | (exec 0<&-; echo > gone)");
        psi.ArgumentList.Add(CliProcess.CliDll);
        var marker = $"BRIGADE_TEST_DEMO_{Guid.NewGuid():N}";
        psi.Environment["BRIGADE_TEST_MARKER"] = marker;

        using var shell = System.Diagnostics.Process.Start(psi)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        var workers = new HashSet<int>();
        var ended = shell.WaitForExitAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!ended.IsCompleted)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(110), "the demo did not end within 110 s");
            workers.UnionWith(ProcessTable.WithEnvironment(marker).Where(IsWorker));
            await Task.WhenAny(ended, Task.Delay(50));
        }

        var (code, milliseconds) = (await stderr).Trim().Split(' ') is [var c, var ms] ? (c, int.Parse(ms, System.Globalization.CultureInfo.InvariantCulture)) : throw new InvalidOperationException(await stderr);
        Assert.Equal("141", code);
        Assert.True(workers.Count == 0, $"the scenes ran into the closed pipe: {workers.Count} worker processes started (in {milliseconds} ms)");
        Assert.Equal("", await stdout);
    }

    private static bool IsWorker(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Brigade.Processes.Worker", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
