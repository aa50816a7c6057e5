using System.Diagnostics;

namespace Brigade.Cli.Tests.Review67Run;

/// <summary>
/// run67: GNU <c>timeout</c> sends its signal twice, to brigade and then to its own process group (brigade included), and
/// brigade took the copy for a second Ctrl+C: it ended at once ("ended at once by a second SIGTERM") instead of the
/// clean stop docs/run.md promises for <c>timeout</c>. The same signal again within
/// <see cref="TerminationSignal.SameSignalWindow"/> is now the same signal; later it still ends brigade at once.
/// </summary>
public sealed class SignalCopyTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Fact]
    public void TheSameSignalAtOnce_IsACopy_ALaterOneOrAnotherSignalIsNot()
    {
        Assert.True(TerminationSignal.IsCopyOfFirst(SigTerm, TimeSpan.FromMilliseconds(1), SigTerm));
        Assert.True(TerminationSignal.IsCopyOfFirst(SigInt, null, SigInt)); // the first's time not noted yet: as close as can be
        Assert.True(TerminationSignal.IsCopyOfFirst(SigInt, TimeSpan.FromMilliseconds(150), SigInt));
        Assert.False(TerminationSignal.IsCopyOfFirst(SigInt, TimeSpan.FromMilliseconds(300), SigInt)); // a person's second Ctrl+C
        Assert.False(TerminationSignal.IsCopyOfFirst(SigInt, TimeSpan.FromMilliseconds(1), SigTerm));
        Assert.InRange(TerminationSignal.SameSignalWindow, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250));
    }

    [Fact(Timeout = 180_000)]
    public async Task TwoSigtermsSentTogether_AsTimeoutSendsThem_StopCleanly()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3\n");
        using var p = CliProcess.Start(dir.Path, "run", "in.txt", "-x", "touch started.{}; sleep 60; echo {}", "-j", "3", "-e", "threads", "-o", "out.txt");
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (Directory.GetFiles(dir.Path, "started.*").Length < 3 && !p.HasExited && waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(50);
        }

        Assert.Equal(3, Directory.GetFiles(dir.Path, "started.*").Length);

        // Two kill(2)s back to back, as `timeout` sends them (kill(pid), then kill(0) to its group).
        using (var kill = Process.Start(new ProcessStartInfo("sh", ["-c", $"kill -TERM {p.Id}; kill -TERM {p.Id}"]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(limit.Token);
        var said = await stderr;
        _ = await stdout;

        // Failed before: "brigade run: ended at once by a second signal: ..." and no summary.
        Assert.DoesNotContain("ended at once", said, StringComparison.Ordinal);
        Assert.Contains("interrupted. Resume with: ", said, StringComparison.Ordinal);
        Assert.Equal(143, p.ExitCode);
    }
}
