using System.Diagnostics;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// An input that is a FIFO no process writes yet: brigade waited in the kernel's open, deaf to Ctrl+C and SIGTERM (left by
/// review 42's output fix). Waiting for the writer is right (as <c>cat fifo</c> does), for as long as it takes; now it
/// says so after a second, and a signal ends the wait.
/// </summary>
public sealed class FifoInputTests
{
    private const string Waiting = "brigade run: the input 'fifo' is a FIFO that no process writes yet: waiting for its writer (Ctrl+C stops)";

    [Fact]
    public async Task SigtermWhileWaitingForTheWriter_EndsTheRun()
    {
        using var dir = new TempDirectory();
        if (!Fifo.Make(dir, "fifo"))
        {
            return;
        }

        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using var brigade = CliProcess.Start(dir.Path, state, "run", "fifo", "-x", "echo {}", "-o", "out.txt");
        try
        {
            await WaitIsInterruptibleAsync(brigade, dir);
        }
        finally
        {
            // Before the fix nothing ends it: not left behind by a failing test.
            if (!brigade.HasExited)
            {
                brigade.Kill();
            }
        }
    }

    private static async Task WaitIsInterruptibleAsync(Process brigade, TempDirectory dir)
    {
        brigade.StandardInput.Close();
        var stdout = brigade.StandardOutput.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Before the fix: no line, and no end (the bound's OperationCanceledException).
        var first = await brigade.StandardError.ReadLineAsync(wait.Token);
        Assert.Equal(Waiting, first);

        using (var kill = Process.Start("kill", ["-TERM", brigade.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync(wait.Token);
        }

        await brigade.WaitForExitAsync(wait.Token);
        Assert.Equal(143, brigade.ExitCode);
        Assert.Equal("brigade: interrupted\n", await brigade.StandardError.ReadToEndAsync(wait.Token));
        Assert.Equal("", await stdout);
        Assert.False(File.Exists(dir.File("out.txt")), "the output was created");
    }

    [Fact]
    public async Task WriterThatComesLate_EveryItemRuns()
    {
        using var dir = new TempDirectory();
        if (!Fifo.Make(dir, "fifo"))
        {
            return;
        }

        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using var brigade = CliProcess.Start(dir.Path, state, "run", "fifo", "-x", "echo {}", "-o", "out.txt");
        try
        {
            brigade.StandardInput.Close();
            var stdout = brigade.StandardOutput.ReadToEndAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            // The writer comes only once brigade has said it waits (a fixed delay raced a start-up slowed by load: the
            // writer's open then met brigade's at once, and there was no wait to report).
            Assert.Equal(Waiting, await brigade.StandardError.ReadLineAsync(wait.Token));
            await File.WriteAllTextAsync(dir.File("fifo"), "a\nb\nc\n", wait.Token);

            var stderr = await brigade.StandardError.ReadToEndAsync(wait.Token);
            await brigade.WaitForExitAsync(wait.Token);
            Assert.True(brigade.ExitCode == 0, stderr);
            Assert.Contains("3 items, 0 failed", stderr, StringComparison.Ordinal);
            Assert.Equal("", await stdout);
        }
        finally
        {
            if (!brigade.HasExited)
            {
                brigade.Kill();
            }
        }

        Assert.Equal("a\nb\nc\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }
}
