using System.Diagnostics;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// An output that is a FIFO no process reads: brigade waited in the kernel's open for good, deaf to Ctrl+C and SIGTERM
/// (review 42). It now waits a bounded time for the reader, saying so, and a signal ends the wait.
/// </summary>
public sealed class FifoOutputTests
{
    [Fact]
    public async Task OutputFifoWithNoReader_FailsInOneLine_AfterABoundedWait()
    {
        using var dir = new TempDirectory();
        if (!Fifo.Make(dir, "fifo"))
        {
            return;
        }

        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };

        // Before the fix: no end (the bound's TimeoutException).
        var (code, stdout, stderr) = await CliProcess.RunAsync(dir.Path, state, null, TimeSpan.FromSeconds(45), "run", "in.txt", "-x", "echo {} >> ran.txt", "-o", "fifo");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            "brigade run: --output 'fifo' is a FIFO that no process reads yet: waiting up to 10 s for its reader\n" +
            "brigade: cannot write --output 'fifo': it is a FIFO, and no process opened it for reading within 10 s; start its reader first (cat 'fifo' &)\n",
            stderr);
        Assert.False(File.Exists(dir.File("ran.txt")), "a command ran");
        var journals = dir.File("state/brigade/journals");
        Assert.True(!Directory.Exists(journals) || Directory.GetFiles(journals).Length == 0, "a journal was left behind");
    }

    [Fact]
    public async Task SigtermWhileWaitingForTheReader_EndsTheRun()
    {
        using var dir = new TempDirectory();
        if (!Fifo.Make(dir, "fifo"))
        {
            return;
        }

        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using var brigade = CliProcess.Start(dir.Path, state, "run", "in.txt", "-x", "echo {}", "--failures", "fifo", "-o", "out.txt");
        brigade.StandardInput.Close();
        var stdout = brigade.StandardOutput.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await brigade.StandardError.ReadLineAsync(wait.Token);
        Assert.Equal("brigade run: --failures 'fifo' is a FIFO that no process reads yet: waiting up to 10 s for its reader", first);

        using (var kill = Process.Start("kill", ["-TERM", brigade.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync(wait.Token);
        }

        await brigade.WaitForExitAsync(wait.Token);
        Assert.Equal(143, brigade.ExitCode);
        Assert.Equal("brigade: interrupted\n", await brigade.StandardError.ReadToEndAsync(wait.Token));
        Assert.Equal("", await stdout);
    }

    // The reader comes late, and the output is larger than a pipe's buffer: the writes, opened without waiting, must
    // block again for the reader (not fail with EAGAIN).
    [Fact]
    public async Task ReaderThatComesLate_GetsEveryResult()
    {
        using var dir = new TempDirectory();
        if (!Fifo.Make(dir, "fifo"))
        {
            return;
        }

        await File.WriteAllTextAsync(dir.File("in.txt"), "100000\n3\n");
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using var brigade = CliProcess.Start(dir.Path, state, "run", "in.txt", "-x", "seq {}", "-o", "fifo");
        brigade.StandardInput.Close();
        var stdout = brigade.StandardOutput.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The reader comes once brigade has tried to open the FIFO for a second (its notice), not a fixed 2 s after
        // brigade's start: at load brigade's start alone takes longer, and a reader that came first tested nothing late.
        var first = await brigade.StandardError.ReadLineAsync(wait.Token);
        Assert.Equal("brigade run: --output 'fifo' is a FIFO that no process reads yet: waiting up to 10 s for its reader", first);

        string read;
        using (var reader = new StreamReader(dir.File("fifo")))
        {
            read = await reader.ReadToEndAsync(wait.Token);
        }

        await brigade.WaitForExitAsync(wait.Token);
        var stderr = await brigade.StandardError.ReadToEndAsync(wait.Token);
        Assert.True(brigade.ExitCode == 0, stderr);
        Assert.Equal("", await stdout);
        var expected = string.Concat(Enumerable.Range(1, 100_000).Select(i => $"{i}\n")) + "1\n2\n3\n";
        Assert.Equal(expected.Length, read.Length);
        Assert.Equal(expected, read);
    }
}
