using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests;

/// <summary>Ctrl+C and SIGTERM stop <c>brigade doctor</c> while it analyses a dump, without waiting for the analysis.</summary>
public sealed class DoctorInterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Theory(Timeout = 60_000)]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task Doctor_SignalDuringTheAnalysis_StopsAtOnce_WithOneLine(int signal, int exitCode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // A FIFO as the dump: reading it blocks until a writer writes, which the test never does, so the analysis hangs
        // (as a large dump's takes long) and only the signal can end the command. The writer's open returns once brigade
        // has opened the FIFO, that is, once the analysis is under way.
        using var dir = new TempDirectory();
        var fifo = dir.File("dump.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var brigade = CliProcess.StartInOwnGroup(dir.Path, "doctor", "--dump", fifo);
        Task<FileStream>? opened = null;
        try
        {
            brigade.StandardInput.Close();
            var stderr = brigade.StandardError.ReadToEndAsync();
            opened = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write));
            var first = await Task.WhenAny(opened, brigade.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(first == opened, $"brigade exited before reading the dump ({(brigade.HasExited ? brigade.ExitCode : -1)}): {(brigade.HasExited ? await stderr : "")}");
            await opened;

            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, signal));
            await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(exitCode, brigade.ExitCode);
            Assert.Equal("brigade: interrupted", (await stderr).Trim());
        }
        finally
        {
            if (!brigade.HasExited)
            {
                brigade.Kill();
            }

            if (opened is { IsCompleted: false })
            {
                // brigade never opened the FIFO: open its other end, so the test's blocked open returns.
                await using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            }

            if (opened is not null)
            {
                await (await opened).DisposeAsync();
            }
        }
    }
}
