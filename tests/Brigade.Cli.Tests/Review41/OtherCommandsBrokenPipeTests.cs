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
    // each scene: none runs. These two sleep at least 9.2 s whatever the machine's load (sleeping-task 2 + 1 + 2 + 0.2 s
    // in-process and 1 + 1 s in worker processes, blocking-io 1 + 1 s); brigade's start is well under that.
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

        using var shell = System.Diagnostics.Process.Start(psi)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(110));

        var (code, milliseconds) = (await stderr).Trim().Split(' ') is [var c, var ms] ? (c, int.Parse(ms, System.Globalization.CultureInfo.InvariantCulture)) : throw new InvalidOperationException(await stderr);
        Assert.Equal("141", code);
        Assert.True(milliseconds < 9_000, $"took {milliseconds} ms: the scenes ran into the closed pipe");
        Assert.Equal("", await stdout);
    }
}
