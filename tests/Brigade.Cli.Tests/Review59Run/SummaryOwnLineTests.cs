using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Tests.Review59Run;

/// <summary>
/// Run59: a command whose output does not end in a newline (<c>printf 'x' | brigade run - -x 'printf %s'</c>) left the
/// terminal's cursor after its last byte, and brigade's summary was written there: <c>xbrigade run: 1 item, 0 failed; ...</c>
/// on one line. So were its failure lines after such a result, and the summary after a command's stderr without a final
/// newline. Brigade's own lines now start on a line of their own, through a line end on stderr: the results' bytes (what
/// stdout's reader gets) are never added to.
/// </summary>
public sealed class SummaryOwnLineTests
{
    [Fact(Timeout = 120_000)]
    public async Task ResultWithoutFinalNewline_StdoutAndStderrOneFile_SummaryStartsOnItsOwnLine()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "x\n");

        var (code, shellOut, _) = await ShellAsync(dir, "> both.txt 2>&1", "run", "in.txt", "-x", "printf %s {}");

        Assert.Equal(0, code);
        var lines = Lines(await File.ReadAllTextAsync(dir.File("both.txt")));
        Assert.True(lines.Count >= 2 && lines[0] == "x" && lines[1].StartsWith("brigade run: 1 item, 0 failed", StringComparison.Ordinal), string.Join('\n', lines));
        Assert.Empty(shellOut);
    }

    [Fact(Timeout = 120_000)]
    public async Task ResultWithoutFinalNewline_StdoutApart_GetsNoByteAdded()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "x\ny\n");

        var (code, _, _) = await ShellAsync(dir, "> out.bin 2> err.txt", "run", "in.txt", "-x", "printf %s {}", "-j", "1");

        Assert.Equal(0, code);
        Assert.Equal("xy"u8.ToArray(), await File.ReadAllBytesAsync(dir.File("out.bin")));
        var err = Lines(await File.ReadAllTextAsync(dir.File("err.txt")));
        Assert.True(err.Count >= 1 && err[0].StartsWith("brigade run: 2 items, 0 failed", StringComparison.Ordinal), string.Join('\n', err));
    }

    [Fact(Timeout = 120_000)]
    public async Task FailedResultWithoutFinalNewline_FailureLineAndSummary_EachStartOnTheirOwnLine()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");

        var (code, _, _) = await ShellAsync(dir, "> both.txt 2>&1", "run", "in.txt", "-x", "printf out-%s {}; exit 3", "-j", "1");

        Assert.Equal(1, code);
        var lines = Lines(await File.ReadAllTextAsync(dir.File("both.txt")));
        Assert.True(lines.Count >= 5, string.Join('\n', lines));
        Assert.Equal("out-a", lines[0]);
        Assert.StartsWith("{\"index\":0,", lines[1], StringComparison.Ordinal);
        Assert.Equal("out-b", lines[2]);
        Assert.StartsWith("{\"index\":1,", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("brigade run: 2 items, 2 failed, all with \"exit code 3\"", lines[4], StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task CommandStderrWithoutFinalNewline_SummaryStartsOnItsOwnLine()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        var (code, _, _) = await ShellAsync(dir, "> out.txt 2> err.txt", "run", "in.txt", "-x", "echo {}; printf warn >&2");

        Assert.Equal(0, code);
        Assert.Equal("a\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        var err = Lines(await File.ReadAllTextAsync(dir.File("err.txt")));
        Assert.True(err.Count >= 2 && err[0] == "warn" && err[1].StartsWith("brigade run: 1 item, 0 failed", StringComparison.Ordinal), string.Join('\n', err));
    }

    // The report itself: on a terminal (tmux), the summary came right after the result's last byte.
    [Fact(Timeout = 120_000)]
    public async Task OnATerminal_SummaryAfterAResultWithoutNewline_IsOnItsOwnRow()
    {
        if (!File.Exists(Tmux.Path))
        {
            Assert.True(Environment.GetEnvironmentVariable("BRIGADE_SKIP_TERMINAL_TESTS") == "1",
                "tmux is not installed (./test.sh installs it, or apt-get install tmux; BRIGADE_SKIP_TERMINAL_TESTS=1 skips this test)");
            return;
        }

        using var dir = new TempDirectory();
        var socket = "brigade-test-" + Guid.NewGuid().ToString("N")[..12];
        var script = dir.File("run.sh");
        await File.WriteAllTextAsync(script,
            $"cd '{dir.Path}' && printf 'x' | dotnet '{CliProcess.CliDll}' run - -x 'printf %s'; echo BRIGADE-EXIT=$?; {Tmux.Signal(socket, "done")}; sleep 600\n");

        await Tmux.RunAsync(socket, "new-session", "-d", "-x", "100", "-y", "24", "-s", "t", $"sh '{script}'");
        try
        {
            // The script's end waited for (tmux wait-for), not polled (a capture every 50 ms until suite72); then read until
            // its last line is on the screen (the server may take the signal before the pane's last bytes: once, as a rule).
            var deadline = Stopwatch.StartNew();
            await Tmux.WaitForAsync(socket, "done", TimeSpan.FromSeconds(90));
            var screen = "";
            while (!screen.Contains("BRIGADE-EXIT=", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                screen = await Tmux.RunAsync(socket, "capture-pane", "-p", "-S", "-", "-E", "-", "-t", "t");
                await Task.Delay(screen.Contains("BRIGADE-EXIT=", StringComparison.Ordinal) ? 0 : 50);
            }

            var rows = screen.Split('\n').Select(r => r.TrimEnd()).ToList();
            Assert.Contains("BRIGADE-EXIT=0", rows);
            Assert.Contains("x", rows);
            Assert.Contains(rows, r => r.StartsWith("brigade run: 1 item, 0 failed", StringComparison.Ordinal));
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }

    // The lines written, without the progress lines a loaded machine's slow run prints every 2 s ("brigade run: 1/2 done
    // (50.0%), ...", "brigade run: 1 done, ..."), which may come between any two of the others.
    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Where(l => !Regex.IsMatch(l, "^brigade run: [0-9][0-9,/]* done"))];

    // brigade under sh with the given redirections (which name files in dir); returns its exit code and sh's own output.
    private static async Task<(int Code, string Stdout, string Stderr)> ShellAsync(TempDirectory dir, string redirections, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec dotnet \"$@\" {redirections}");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(CliProcess.CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
