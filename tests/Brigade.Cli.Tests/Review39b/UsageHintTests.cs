namespace Brigade.Cli.Tests.Review39b;

/// <summary>
/// A usage error names the help of the program that was run: from a clone (<c>dotnet run --project src/Brigade.Cli --</c>
/// or the build's program) it said <c>(see 'brigade --help')</c>, a command that does not exist there, as the resume
/// hint did before review 39 (<see cref="InvokedAs"/>). Leftover of review 39.
/// </summary>
public sealed class UsageHintTests
{
    [Fact(Timeout = 60_000)]
    public async Task UsageError_FromTheBuildOfTheProject_NamesThatProgramsHelp()
    {
        // tests/Brigade.Cli.Tests/bin/CONFIGURATION/TFM/ -> the repository, and the CLI project's own build beside it.
        var output = Path.GetDirectoryName(CliProcess.CliDll)!;
        var configuration = Path.GetFileName(Path.GetDirectoryName(output))!;
        var root = Path.GetFullPath(Path.Combine(output, "..", "..", "..", "..", ".."));
        var program = Path.Combine("src", "Brigade.Cli", "bin", configuration, Path.GetFileName(output), "Brigade.Cli.dll");
        Assert.True(File.Exists(Path.Combine(root, program)), $"no build of the CLI project at {program}");

        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(program);
        psi.ArgumentList.Add("--no-such-option");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(50));

        Assert.Equal(2, p.ExitCode);
        var text = await stderr;
        Assert.Contains($"(see 'dotnet {program} --help')", text, StringComparison.Ordinal);
        Assert.DoesNotContain("'brigade --help'", text, StringComparison.Ordinal);
        Assert.Equal("", await stdout);
    }
}
