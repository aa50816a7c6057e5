using System.Diagnostics;

namespace Brigade.Cli.Tests.Review58Run;

/// <summary>
/// Run58: a user whose home directory does not exist (HOME unset and a passwd entry of <c>/nonexistent</c>, as
/// <c>nobody</c> and many service users have). .NET's <c>GetFolderPath(UserProfile)</c> checks that the directory exists
/// and gives "" when it does not, so brigade's state directory became <c>./.local/state/brigade</c> in the current
/// directory: locks and completion records there (each directory its own, so two runs on one output from two directories
/// were not kept apart), and in a read-only directory <c>-o /dev/null</c> failed with "UnauthorizedAccessException: Access
/// to the path '/cwd/.local' is denied". Two <c>brigade</c> processes (the environment is the point), ~0.9 s of CPU.
/// </summary>
public sealed class MissingHomeStateDirectoryTests
{
    [Fact(Timeout = 120_000)]
    public async Task AHomeThatDoesNotExist_IsStillTheStateDirectory_NotTheCurrentDirectory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var work = Directory.CreateDirectory(dir.File("work")).FullName;
        await File.WriteAllTextAsync(Path.Combine(work, "in.txt"), "1\n");
        var home = dir.File("home-not-made-yet");

        var (code, _, stderr) = await RunAsync(work, home, "run", "in.txt", "-x", "echo {}", "-o", "out.txt", "--quiet");

        Assert.True(code == 0, stderr);
        Assert.False(Directory.Exists(Path.Combine(work, ".local")), "the state directory was made in the current directory");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(home, ".local", "state", "brigade", "completed"), "*.complete"));
    }

    [Fact(Timeout = 120_000)]
    public async Task AStateDirectoryThatCannotBeMade_ForADeviceOutputsJournal_IsOneLine_ExitOne()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");

        // Nothing, root included, can create a directory in /proc.
        var (code, stdout, stderr) = await RunAsync(dir.Path, "/proc/brigade-run58-no-home", "run", "in.txt", "-x", "echo {}", "-o", "/dev/null", "--quiet");

        // A usage error since run60 (exit 1 before): nothing was created or run.
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("brigade: cannot write --output '/dev/null': its journal goes in brigade's state directory, and '/proc/brigade-run58-no-home/.local/state/brigade/journals' cannot be created", stderr, StringComparison.Ordinal);
        Assert.Contains("give --journal PATH, or set XDG_STATE_HOME", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(dir.File(".local")), "the state directory was made in the current directory");
    }

    // brigade with HOME set and XDG_STATE_HOME removed (CliProcess can only add variables).
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workingDirectory, string home, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliProcess.CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("XDG_STATE_HOME");
        psi.Environment["HOME"] = home;
        using var brigade = Process.Start(psi)!;
        brigade.StandardInput.Close();
        var stdout = brigade.StandardOutput.ReadToEndAsync();
        var stderr = brigade.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await brigade.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            brigade.Kill(entireProcessTree: true);
            throw new TimeoutException($"brigade did not end within 90 s: {await stderr}");
        }

        return (brigade.ExitCode, await stdout, await stderr);
    }
}
