using System.Diagnostics;
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
        const int Items = 200;
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
                // journal shows it (results are journaled before they are written), not for a fixed time: at load 40 the
                // run (two start-ups: it restarts itself, RunRestart) had not begun 4 s in, and the Ctrl+C came before it
                // had anything to resume (CI, stop 47).
                await WaitForJournaledResultsAsync(dir.File("j"), 24, brigade);
                await Task.Delay(TimeSpan.FromSeconds(1));
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

    // Waits until the journal holds at least `results` result records ("r"), as a stuck run's stays: the run is under
    // way and more has finished than the pipe takes.
    private static async Task WaitForJournaledResultsAsync(string journal, int results, Process brigade)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(brigade.HasExited, "brigade finished although nobody read its output");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the run journaled fewer than {results} results in 60 s");
            if (File.Exists(journal) && File.ReadLines(journal).Count(line => line.StartsWith("{\"t\":\"r\"", StringComparison.Ordinal)) >= results)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

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
