using System.Diagnostics;

namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: <c>yes '' | head -3000000 | brigade run - -x 'echo {}'</c> (a million blank lines, a producer that gives no
/// item) ended "0 items, 0 failed; auto ×1, 0.27 s after 1.13 s waiting for the input's first item": there was no first
/// item. The summary now says the wait was for an input that held none.
/// </summary>
public sealed class EmptyInputWaitTests
{
    [Fact(Timeout = 120_000)]
    public async Task SlowProducerOfBlankLines_SummaryDoesNotSpeakOfAFirstItem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();

        // 8 s of blank lines and then the end: brigade reads its input long before that even at a CI's load (with 3 s, a
        // run at load 55 started reading only after the end, ci175, and had nothing to wait for). Wall time, no CPU.
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("(echo; sleep 8; echo) | exec dotnet \"$@\" run - -x 'echo {}' > out.txt 2> err.txt");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(CliProcess.CliDll);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await p.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, p.ExitCode);
        Assert.Equal("", await File.ReadAllTextAsync(dir.File("out.txt")));
        var err = await File.ReadAllTextAsync(dir.File("err.txt"));
        var summary = err.Split('\n').Single(l => l.StartsWith("brigade run: 0 items, 0 failed", StringComparison.Ordinal));
        Assert.DoesNotContain("first item", summary, StringComparison.Ordinal);
        Assert.Contains("s waiting for the input, which held no item", summary, StringComparison.Ordinal);
    }
}
