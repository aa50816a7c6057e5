using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// A Ctrl+C in the first tenth of a second of a long run is not lost to the run's restart (<see cref="RunRestart"/>): it
/// was handled by the image about to be replaced, which only cancelled a token the new image never saw, and the run
/// went on to its end (with its stdout a full pipe, for good: the CI failure of stop 47).
/// </summary>
public sealed class RunRestartSignalTests
{
    private const int SigInt = 2;

    // SIGHUP's bit in /proc/PID/status's SigCgt: brigade's own handlers are armed (the runtime catches SIGINT and
    // SIGTERM from its start, SIGHUP only when brigade registers it).
    private const ulong SigHupCaught = 1UL << (1 - 1);

    [Fact(Timeout = 120_000)]
    public async Task SignalAsSoonAsBrigadeHandlesIt_EndsTheRun_RestartOrNot()
    {
        if (!OperatingSystem.IsLinux() || !SelfExec.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        // Long enough to restart; two minutes of commands if the interrupt is lost.
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(0, RunRestart.MinItems).Select(i => $"{i}"));
        var start = CliProcess.OwnGroupStartInfo(dir.Path, null, "run", dir.File("in.txt"), "--exec", "sleep 1; echo {}", "-j", "2", "--journal", dir.File("j"), "-q");
        start.ArgumentList[0] = "--default-signal=INT,QUIT,TERM,HUP"; // SIGHUP at its default, so that brigade registers it (not under nohup)
        using var brigade = Process.Start(start)!;
        try
        {
            brigade.StandardInput.Close();
            var stdout = brigade.StandardOutput.ReadToEndAsync();
            var stderr = brigade.StandardError.ReadToEndAsync();

            // The moment brigade's handlers are armed, in whichever image: before the fix, the image that then replaced itself.
            var watch = Stopwatch.StartNew();
            while (!brigade.HasExited && (CaughtSignals(brigade.Id) & SigHupCaught) == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "brigade never registered its SIGHUP handler");
                Thread.Sleep(1);
            }

            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, SigInt));
            var exited = brigade.WaitForExitAsync();
            Assert.True(ReferenceEquals(exited, await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30)))),
                "brigade went on running after Ctrl+C: the signal was handled by the image the restart replaced");
            Assert.Equal(130, brigade.ExitCode);
            var said = await stderr.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Contains("interrupted", said, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", said, StringComparison.Ordinal);
            Assert.True((await stdout.WaitAsync(TimeSpan.FromSeconds(15))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < RunRestart.MinItems);
        }
        finally
        {
            if (!brigade.HasExited)
            {
                brigade.Kill(entireProcessTree: true);
            }
        }
    }

    private static ulong CaughtSignals(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
                {
                    return Convert.ToUInt64(line["SigCgt:".Length..].Trim(), 16);
                }
            }
        }
        catch (IOException)
        {
            // Exited, or between images.
        }

        return 0;
    }
}
