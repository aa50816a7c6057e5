namespace Brigade.Cli.Tests.Review39b;

/// <summary>
/// Help into a pipe whose reader left ends brigade with 141 (128 + SIGPIPE) whichever command's help it is:
/// <c>brigade run --help | head -1</c> did (review 39), <c>brigade --help | head -1</c> exited 0, because every command
/// but run writes to .NET's console, which drops writes to a broken pipe without a word. Leftover of review 39.
/// </summary>
public sealed class RootHelpBrokenPipeTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("--help")]
    [InlineData("run --help")]
    [InlineData("demo --help")]
    public async Task HelpIntoAPipeWhoseReaderLeft_Exits141_Quietly(string args)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The reader closes its end before brigade starts (it says so through a FIFO), so every write brigade makes meets
        // a pipe without a reader, however fast either side is: `brigade --help | head -1` without the race.
        using var dir = new TempDirectory();
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"mkfifo gone; (read -r _ < gone; exec dotnet \"$0\" {args}) | (exec 0<&-; echo > gone); echo \"${{PIPESTATUS[0]}}\"");
        psi.ArgumentList.Add(CliProcess.CliDll);

        using var shell = System.Diagnostics.Process.Start(psi)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(50));

        Assert.Equal("141", (await stdout).Trim());
        Assert.Equal("", await stderr);
    }
}
