using System.Diagnostics;

namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// <c>-o /dev/stdout</c> (or <c>--failures /dev/stderr</c>) when that descriptor is a regular file (<c>&gt;&gt; log</c>):
/// brigade reopened the path, which is a new open of the file at offset 0, and cut it to 0 bytes as it cuts a regular
/// output on a fresh run: the log's earlier lines were destroyed, and the shell's next write left a hole of NUL bytes
/// (review 34). A path under /dev is written, never truncated; stdout and stderr are written through the descriptor.
/// </summary>
public sealed class DevStdoutRegularFileTests
{
    private static async Task<(int Code, string Stderr)> ShellAsync(TempDirectory dir, string script)
    {
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(CliProcess.CliDll);
        psi.Environment["XDG_STATE_HOME"] = dir.File("state");
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Output_DevStdout_AppendedToALog_KeepsTheLogAndAppends()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n");
        await File.WriteAllTextAsync(dir.File("log"), "earlier line\n");

        // Before: log = "1\n2\n" (the earlier line gone).
        var (code, stderr) = await ShellAsync(dir, "dotnet \"$1\" run in.txt -x 'echo {}' -e sequential -o /dev/stdout -q >> log");

        Assert.True(code == 0, stderr);
        Assert.Equal("earlier line\n1\n2\n", await File.ReadAllTextAsync(dir.File("log")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Output_DevStdout_ARegularFileWrittenBeforeAndAfter_KeepsEveryWriteInOrder()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n");

        // Before: log = "1\n2\n\0\0\0footer\n" (the header cut away, a hole where it was).
        var (code, stderr) = await ShellAsync(dir, "{ echo header; dotnet \"$1\" run in.txt -x 'echo {}' -e sequential -o /dev/stdout -q; echo footer; } > log");

        Assert.True(code == 0, stderr);
        Assert.Equal("header\n1\n2\nfooter\n", await File.ReadAllTextAsync(dir.File("log")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Failures_DevStderr_ARegularFile_KeepsWhatWasWrittenBefore()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");

        var (code, _) = await ShellAsync(dir, "{ echo header >&2; dotnet \"$1\" run in.txt -x 'exit 3' -e sequential --failures /dev/stderr -q; } 2> err.log");

        var log = await File.ReadAllTextAsync(dir.File("err.log"));
        Assert.True(code == 1, log);
        Assert.StartsWith("header\n", log, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"exit code 3\"", log, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", log, StringComparison.Ordinal);
    }
}
