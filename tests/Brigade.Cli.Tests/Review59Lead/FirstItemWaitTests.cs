using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Tests.Review59Lead;

/// <summary>
/// Run59 noticed: <c>(sleep 2; echo a; echo b) | brigade run - -x 'echo {}'</c> took 2.4 s and its summary said
/// "auto ×2, 0.17 s" (and "why not faster: ... start-up 70%"). brigade reads the input's first item before the run starts
/// (to check it and open the outputs), and the run's clock starts after that: the wait for a slow producer was nowhere.
/// The summary now says it apart: "…, 0.17 s after 2.00 s waiting for the input's first item".
/// </summary>
public sealed partial class FirstItemWaitTests
{
    [Fact(Timeout = 120_000)]
    public async Task SlowProducer_SummarySaysTheWaitForTheFirstItem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();

        // 6 s: brigade is reading its input long before that even at a CI's load (a run's start-up is ~0.5 s quiet).
        var err = await ShellAsync(dir, "(sleep 6; echo a; echo b) | exec dotnet \"$@\" run - -x 'echo {}' > out.txt 2> err.txt");

        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        var summary = err.Split('\n').Single(l => l.StartsWith("brigade run: 2 items, 0 failed", StringComparison.Ordinal));
        var wait = WaitRegex().Match(summary);
        Assert.True(wait.Success, summary);
        var seconds = double.Parse(wait.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 0.1, 6.5);
    }

    [Fact(Timeout = 120_000)]
    public async Task InputFile_SummarySaysNoWait()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");

        var err = await ShellAsync(dir, "exec dotnet \"$@\" run in.txt -x 'echo {}' > out.txt 2> err.txt");

        var summary = err.Split('\n').Single(l => l.StartsWith("brigade run: 2 items, 0 failed", StringComparison.Ordinal));
        Assert.DoesNotContain("waiting for the input", summary, StringComparison.Ordinal);
    }

    [GeneratedRegex(@" after ([0-9.]+) s waiting for the input's first item")]
    private static partial Regex WaitRegex();

    // sh -c SCRIPT with the CLI's dll as $1; returns err.txt.
    private static async Task<string> ShellAsync(TempDirectory dir, string script)
    {
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(CliProcess.CliDll);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await p.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, p.ExitCode);
        return await File.ReadAllTextAsync(dir.File("err.txt"));
    }
}
