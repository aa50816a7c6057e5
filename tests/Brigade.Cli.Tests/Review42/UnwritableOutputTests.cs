using System.Diagnostics;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// An output path brigade cannot write (a read-only directory, a file without write permission) is said at once, in one
/// line naming the path the user gave and the reason, exit 2 (exit 1 until run60), before anything is created or run (review 42: -o in a
/// read-only directory was reported as the journal's problem, and --report/--trace only after the whole run).
/// </summary>
public sealed class UnwritableOutputTests
{
    [Fact]
    public async Task OutputInAReadOnlyDirectory_NamesTheOutput_NotItsJournal()
    {
        using var setup = ReadOnlySetup.Create();
        if (setup is null)
        {
            return; // root without setpriv: a directory's permissions do not stop root
        }

        var (dir, ro) = (setup.Dir, setup.Ro);

        var (code, stdout, stderr) = await RunAsUserAsync(dir, "run", "in.txt", "-x", "echo {}", "-o", "ro/out.txt");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"brigade: cannot write --output 'ro/out.txt': cannot create files in '{ro}': permission denied\n", stderr);
    }

    [Fact]
    public async Task WritableOutputInAReadOnlyDirectory_NamesTheOutput_AndTheJournalBesideIt()
    {
        using var setup = ReadOnlySetup.Create();
        if (setup is null)
        {
            return;
        }

        var (dir, ro) = (setup.Dir, setup.Ro);

        var output = Path.Combine(ro, "out.txt");
        Chmod(ro, "755");
        await File.WriteAllTextAsync(output, "earlier results\n");
        Chmod(output, "666");
        Chmod(ro, "555");

        var (code, _, stderr) = await RunAsUserAsync(dir, "run", "in.txt", "-x", "echo {}", "-o", "ro/out.txt");

        Assert.Equal(2, code);
        Assert.Equal(
            $"brigade: cannot write --output 'ro/out.txt': its journal 'ro/out.txt.journal' goes beside it, and cannot create files in '{ro}': permission denied; " +
            "give --journal PATH in a writable directory (or an --output there)\n",
            stderr);
        Assert.Equal("earlier results\n", await File.ReadAllTextAsync(output)); // not truncated
    }

    // --report and --trace were written after the run: the whole run ran, then failed. Every path is checked first now.
    [Theory]
    [InlineData("--failures")]
    [InlineData("--journal")]
    [InlineData("--report")]
    [InlineData("--trace")]
    public async Task OtherOutputInAReadOnlyDirectory_IsRefusedBeforeTheRun(string option)
    {
        using var setup = ReadOnlySetup.Create();
        if (setup is null)
        {
            return;
        }

        var (dir, ro) = (setup.Dir, setup.Ro);

        var (code, _, stderr) = await RunAsUserAsync(dir, "run", "in.txt", "-x", "echo {} >> ran.txt", "-o", "out.txt", option, "ro/x");

        Assert.Equal(2, code);
        Assert.Equal($"brigade: cannot write {option} 'ro/x': cannot create files in '{ro}': permission denied\n", stderr);
        Assert.False(File.Exists(dir.File("ran.txt")), "a command ran");
        Assert.False(File.Exists(dir.File("out.txt")), "the output was created");
    }

    [Fact]
    public async Task ExistingFileWithoutWritePermission_IsRefusedInOneLine()
    {
        using var setup = ReadOnlySetup.Create();
        if (setup is null)
        {
            return;
        }

        var dir = setup.Dir;

        await File.WriteAllTextAsync(dir.File("locked.html"), "old\n");
        Chmod(dir.File("locked.html"), "444");

        var (code, _, stderr) = await RunAsUserAsync(dir, "run", "in.txt", "-x", "echo {} >> ran.txt", "-o", "out.txt", "--report", "locked.html");

        Assert.Equal(2, code);
        Assert.Equal("brigade: cannot write --report 'locked.html': permission denied\n", stderr);
        Assert.False(File.Exists(dir.File("ran.txt")), "a command ran");
    }

    // A temporary directory the other user can work in, with in.txt and a read-only directory ro (made writable again
    // to be deleted); Create gives null when this process cannot make a directory read-only for the CLI (root without setpriv).
    private sealed class ReadOnlySetup : IDisposable
    {
        private ReadOnlySetup(TempDirectory dir) => (Dir, Ro) = (dir, dir.File("ro"));

        public TempDirectory Dir { get; }

        public string Ro { get; }

        public static ReadOnlySetup? Create()
        {
            if (OperatingSystem.IsWindows() || (Environment.UserName == "root" && !File.Exists("/usr/bin/setpriv")))
            {
                return null;
            }

            var setup = new ReadOnlySetup(new TempDirectory());
            File.WriteAllText(setup.Dir.File("in.txt"), "a\nb\n");
            Directory.CreateDirectory(setup.Ro);
            Chmod(setup.Dir.Path, "777");
            Chmod(setup.Ro, "555");
            return setup;
        }

        public void Dispose()
        {
            Chmod(Ro, "755");
            Dir.Dispose();
        }
    }

    private static void Chmod(string path, string mode)
    {
        using var chmod = Process.Start("chmod", [mode, path])!;
        chmod.WaitForExit();
    }

    // Runs the CLI as a user the permissions apply to: root ignores a directory's mode, so as root it runs as nobody.
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsUserAsync(TempDirectory dir, params string[] args)
    {
        var root = Environment.UserName == "root";
        var psi = new ProcessStartInfo(root ? "setpriv" : "dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (root)
        {
            foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" })
            {
                psi.ArgumentList.Add(a);
            }
        }

        psi.ArgumentList.Add(CliProcess.CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = dir.Path;
        psi.Environment["DOTNET_CLI_HOME"] = dir.Path;
        psi.Environment["XDG_STATE_HOME"] = dir.File("state");
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"brigade {string.Join(' ', args)} did not end within 60 s:\n{await stdout}{await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
