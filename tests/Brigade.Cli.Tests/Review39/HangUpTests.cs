using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// SIGHUP (the terminal closed, an SSH session dropped) stops a run as SIGTERM does: the commands' groups killed, the
/// summary and the resume command, exit 129. Before, its default action killed brigade at once, with no summary (the
/// reaper killed the commands; results finished since the last watermark ran again on resume), though the docs said
/// brigade handled it. A brigade started with SIGHUP ignored (<c>nohup</c>) keeps ignoring it (review 39).
/// </summary>
public sealed class HangUpTests
{
    private const int SigHup = 1;

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HangUp_StopsTheRunCleanly_UnlessIgnoredAsUnderNohup(bool nohup)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        using var gate = Gate.Make(dir)!;
        await File.WriteAllTextAsync(dir.File("in.txt"), "item-1\nitem-2\n");
        // Each command waits until the test lets it go: a read at a gate (a FIFO: no process), not a `sleep 0.05` poll of
        // the go file (until review 71).
        var command = $": > {dir.Path}/started.{{#}}; [ -e {dir.Path}/go ] || {gate.Wait}; echo {{}}";
        var psi = CliProcess.OwnGroupStartInfo(dir.Path, null, "run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "-j", "2", "-e", "threads", "-q");
        psi.ArgumentList[0] = nohup ? "--ignore-signal=HUP" : "--default-signal=INT,QUIT,TERM,HUP";
        using var brigade = Process.Start(psi)!;
        try
        {
            brigade.StandardInput.Close();
            var stderr = brigade.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while (Directory.GetFiles(dir.Path, "started.*").Length < 2 && !brigade.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            // What a terminal's hangup does: the signal to the foreground group.
            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, SigHup));
            if (nohup)
            {
                Assert.False(brigade.WaitForExit(TimeSpan.FromMilliseconds(500)), "brigade under nohup ended on SIGHUP");
                await File.WriteAllTextAsync(dir.File("go"), "");
                gate.Let(2);
            }

            await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var text = await stderr;
            if (nohup)
            {
                Assert.True(brigade.ExitCode == 0, text);
                Assert.Equal("item-1\nitem-2\n", await File.ReadAllTextAsync(dir.File("out.txt")));
            }
            else
            {
                Assert.True(brigade.ExitCode == 129, $"exit {brigade.ExitCode}: {text}");
                Assert.Contains("interrupted. Resume with: ", text, StringComparison.Ordinal);
                Assert.True(File.Exists(dir.File("out.txt.journal")), "the journal is kept for --resume");
            }
        }
        finally
        {
            await File.WriteAllTextAsync(dir.File("go"), "");
            gate.Let(2);
            if (!brigade.HasExited)
            {
                brigade.Kill(entireProcessTree: true);
            }
        }
    }
}
