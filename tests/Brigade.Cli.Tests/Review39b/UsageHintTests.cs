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
        // A clone's layout (PROJECT/Brigade.Cli.csproj, its build in PROJECT/bin/CONFIGURATION/TFM/) around a copy of the
        // CLI the other tests run (CliProcess): until review 45 this test took the repository and the configuration from
        // the names of the folders above the test's own, and failed from a test folder copied anywhere else.
        using var dir = new TempDirectory();
        var program = Path.Combine("src", "Brigade.Cli", "bin", "Release", "net10.0", "Brigade.Cli.dll");
        CopyTree(Path.GetDirectoryName(CliProcess.CliDll)!, Path.GetDirectoryName(dir.File(program))!);
        await File.WriteAllTextAsync(dir.File(Path.Combine("src", "Brigade.Cli", "Brigade.Cli.csproj")), "<Project />");

        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(program);
        psi.ArgumentList.Add("--no-such-option");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(50));

        var text = await stderr;
        Assert.True(p.ExitCode == 2, text);
        Assert.Contains($"(see 'dotnet {program} --help')", text, StringComparison.Ordinal);
        Assert.DoesNotContain("'brigade --help'", text, StringComparison.Ordinal);
        Assert.Equal("", await stdout);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.EnumerateDirectories(from))
        {
            CopyTree(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }
}
