using System.Diagnostics;

namespace Brigade.Cli.Tests.Review58Run;

/// <summary>
/// Run58: a run whose input is a pipe named by a path (<c>brigade run &lt;(seq 200) ...</c>, which the shell passes as
/// <c>/dev/fd/63</c>; a FIFO) and that stopped printed <c>Resume with: brigade run /dev/fd/63 ... --resume</c>, which a
/// shell runs without that descriptor. It now says, as it does for stdin, that the same items must be fed again.
/// In-process (a FIFO written by a thread of the test); the commands are <c>test</c> in a shell, milliseconds of CPU.
/// </summary>
public sealed class PipeInputResumeHintTests
{
    [Fact(Timeout = 60_000)]
    public async Task StoppedRun_FromAFifo_ResumeHintSaysToFeedTheSameItemsAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var fifo = dir.File("items.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO for writing blocks until its reader opens it: on a thread of its own.
        var writer = Task.Factory.StartNew(() => File.WriteAllText(fifo, "1\n2\nx\n4\n"), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var (code, _, stderr) = await CliRunner.RunAsync("run", fifo, "-x", "test {} != x", "-o", dir.File("out.txt"), "--fail-fast", "-j", "1");
        await writer;

        Assert.Equal(1, code);
        Assert.Contains($"--resume, fed the same items again (the input '{fifo}' is a pipe, which cannot be read twice)", stderr, StringComparison.Ordinal);
    }
}
