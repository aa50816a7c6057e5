using System.Diagnostics;

namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: GNU parallel users run shell functions (<c>myf() { ...; }; export -f myf; parallel myf ::: ...</c>). In brigade
/// run, <c>-x 'myf {}'</c> needs no shell by its text, so it ran as a program, directly: every item failed with "exit code
/// 127: command not found: myf", even where /bin/sh is bash and would have run it (the run56 check of the program skips
/// exported functions). A command naming an exported function now goes to /bin/sh; where /bin/sh cannot run bash
/// functions (dash, Debian's) and no program of that name is on PATH, the run is refused in one line saying how to run
/// it through bash, before anything runs.
/// </summary>
public sealed class ExportedFunctionTests
{
    [Fact(Timeout = 120_000)]
    public async Task ExportedBashFunction_RunsWhereShIsBash_ElseOneLineSayingHow()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CliProcess.CliDll, "run", "in.txt", "-x", "brigade_run60_fn {}", "-q" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["BASH_FUNC_brigade_run60_fn%%"] = "() {  echo fn-$1\n}";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await p.WaitForExitAsync(timeout.Token);

        var shIsBash = Path.GetFileName(new FileInfo("/bin/sh").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/bin/sh").StartsWith("bash", StringComparison.Ordinal);
        if (shIsBash)
        {
            Assert.True(p.ExitCode == 0, await stderr);
            Assert.Equal("fn-a\nfn-b\n", await stdout);
        }
        else
        {
            Assert.Equal(2, p.ExitCode);
            Assert.Equal("", await stdout);
            var err = await stderr;
            Assert.StartsWith("brigade: --exec: brigade_run60_fn is a bash function (export -f), which /bin/sh", err, StringComparison.Ordinal);
            Assert.Contains("bash -c 'brigade_run60_fn \"$1\"' _ {}", err, StringComparison.Ordinal);
            Assert.Single(err.TrimEnd('\n').Split('\n'));
        }
    }
}
