using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// Ctrl+C and SIGTERM end <c>brigade run</c> even while it waits on a pipe: stdin whose producer is quiet
/// (<c>tail -f log | brigade run -</c>), or stdout that nobody reads (a pager left on its first page); and what was not
/// written is not journaled as written, so <c>--resume</c> writes it (review 19, S1-b and S1-c).
/// </summary>
public sealed class RunPipeInterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Theory(Timeout = 90_000)]
    [InlineData(1, SigInt, 130)] // mid-run: the producer wrote a line and is quiet, its end of the pipe still open
    [InlineData(1, SigTerm, 143)] // the same under a supervisor
    [InlineData(0, SigInt, 130)] // before the first line, while brigade waits for the item that starts the run
    public async Task Run_Stdin_ProducerIdle_Signal_Exits(int lines, int signal, int exitCode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using var brigade = CliProcess.StartInOwnGroup(dir.Path, "run", "-", "--exec", "echo {}", "-q");
        try
        {
            var stderr = brigade.StandardError.ReadToEndAsync();
            if (lines > 0)
            {
                await brigade.StandardInput.WriteLineAsync("a");
                await brigade.StandardInput.FlushAsync();
                Assert.Equal("a", await brigade.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            }
            else
            {
                // Started and waiting for stdin (a signal before its handler is armed would end it the same way).
                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, signal));
            var exited = brigade.WaitForExitAsync();
            Assert.True(ReferenceEquals(exited, await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(15)))),
                "brigade ignored the signal while its input (stdin) waited for the producer's next line");
            Assert.Equal(exitCode, brigade.ExitCode);
            Assert.DoesNotContain("Exception", await stderr.WaitAsync(TimeSpan.FromSeconds(15)), StringComparison.Ordinal);
        }
        finally
        {
            brigade.StandardInput.Close();
            KillIfRunning(brigade);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_StdoutPipeFull_CtrlC_Exits_AndResumeWritesWhatWasNotWritten()
    {
        // `brigade run big.txt -x ... | less` with the pager left on its first page: the pipe is full and the delivery
        // that writes the next result blocks in write(2), holding the outputs' lock (and, before the fix, every 100 ms the
        // watermark timer's callback blocked on that lock on a pool thread of its own).
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        // Fewer than RunRestart.MinItems (200): a longer run replaces itself with a second start of the runtime (~0.4 s of
        // CPU, here twice: the run and its resume), which this test is not about. 150 results of 4 KB are still nine
        // times what a 64 KiB pipe holds.
        const int Items = 150;
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(0, Items).Select(i => $"{i}-{new string('x', 4000)}"));
        string[] args = ["run", dir.File("in.txt"), "--exec", "echo {}", "--journal", dir.File("j"), "-q"];
        var seen = new List<string>();
        using (var brigade = CliProcess.StartInOwnGroup(dir.Path, args))
        {
            try
            {
                brigade.StandardInput.Close();
                var stderr = brigade.StandardError.ReadToEndAsync();

                // Nobody reads brigade's stdout: 64 KiB of pipe holds ~16 results, then a write blocks. Waited for as the
                // pipe shows it (the bytes waiting in it, FIONREAD on the test's end), not for a fixed time: at load 40 the
                // run (two start-ups: it restarts itself, RunRestart) had not begun 4 s in, and the Ctrl+C came before it
                // had anything to resume (CI, stop 47); the journal's count of results was no measure either (it is
                // flushed every 64 KiB and at watermarks, which a stuck write holds up: ci116).
                await WaitForFullPipeAsync(brigade, 4003);
                await Task.Delay(TimeSpan.FromSeconds(1)); // the blocked write, older than the stuck-write threshold (250 ms)
                Assert.False(brigade.HasExited, "brigade finished although nobody read its output");

                Assert.True(NativeMethods.KillProcessGroup(brigade.Id, SigInt));
                var exited = brigade.WaitForExitAsync();
                Assert.True(ReferenceEquals(exited, await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(15)))),
                    "brigade ignored Ctrl+C while its stdout was full");
                Assert.Equal(130, brigade.ExitCode);
                var said = await stderr.WaitAsync(TimeSpan.FromSeconds(15));
                Assert.Contains("interrupted", said, StringComparison.Ordinal);
                Assert.Contains("--resume", said, StringComparison.Ordinal);

                // What reached the pipe before the interrupt is still there to read.
                seen.AddRange((await brigade.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(15))).Split('\n'));
            }
            finally
            {
                KillIfRunning(brigade);
            }
        }

        // Resumed (and read this time), the run writes every result the first one did not: none is lost.
        using (var resumed = CliProcess.StartInOwnGroup(dir.Path, [.. args, "--resume"]))
        {
            try
            {
                resumed.StandardInput.Close();
                var stdout = resumed.StandardOutput.ReadToEndAsync();
                var stderr = resumed.StandardError.ReadToEndAsync();
                await resumed.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(resumed.ExitCode == 0, await stderr);
                seen.AddRange((await stdout).Split('\n'));
            }
            finally
            {
                KillIfRunning(resumed);
            }
        }

        // A result cut short by the interrupt is written whole again on resume.
        var missing = Enumerable.Range(0, Items).Where(i => !seen.Contains($"{i}-{new string('x', 4000)}")).ToList();
        Assert.True(missing.Count == 0, $"results lost: {string.Join(", ", missing)}");
    }

    // Waits until brigade's stdout pipe is full: fewer bytes free in it than one result line takes, so brigade's next
    // write blocks. Reads the test's own end of the pipe (nothing reads it until then).
    private static async Task WaitForFullPipeAsync(Process brigade, int lineLength)
    {
        var pipe = Assert.IsAssignableFrom<PipeStream>(brigade.StandardOutput.BaseStream);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        var size = Fcntl(fd, GetPipeSize, 0);
        Assert.True(size > 0, $"F_GETPIPE_SZ failed: errno {Marshal.GetLastPInvokeError()}");
        var waited = Stopwatch.StartNew();
        var available = 0;
        while (true)
        {
            Assert.False(brigade.HasExited, "brigade finished although nobody read its output");
            Assert.True(Ioctl(fd, BytesToRead, ref available) == 0, $"FIONREAD failed: errno {Marshal.GetLastPInvokeError()}");
            if (available > size - lineLength)
            {
                return;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), $"brigade's stdout pipe held {available:N0} of {size:N0} bytes after 90 s");
            await Task.Delay(50);
        }
    }

    private const int GetPipeSize = 1032; // F_GETPIPE_SZ
    private const nuint BytesToRead = 0x541B; // FIONREAD

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request, ref int value);

    private static void KillIfRunning(Process brigade)
    {
        try
        {
            if (!brigade.HasExited)
            {
                brigade.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
