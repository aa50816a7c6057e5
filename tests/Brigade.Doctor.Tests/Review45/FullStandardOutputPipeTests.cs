using System.Diagnostics;

namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45: a program whose standard output is a pipe nobody reads (piped into a reader that stopped). The
/// runtime's <c>createdump</c> writes its progress lines to that same pipe and blocks: no dump can be taken. Before: "did
/// not finish writing its dump within 20 s ...: give it more time with --timeout", which no timeout fixes.</summary>
public sealed class FullStandardOutputPipeTests
{
    [Fact]
    public async Task AProcessWhoseStandardOutputIsAFullPipe_IsExplained_NotToldToWaitLonger()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(ChildProcess.CorpusDll);
        psi.ArgumentList.Add("twin-idle");
        using var child = Process.Start(psi)!;
        Task? filler = null;
        try
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line && !line.Contains("ready", StringComparison.Ordinal))
            {
            }

            // Fill the child's standard output pipe through its own descriptor, and read no more of it.
            long written = 0;
            filler = Task.Run(() =>
            {
                try
                {
                    using var pipe = new FileStream($"/proc/{child.Id}/fd/1", FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0); // each write a write(2)
                    var chunk = new byte[4096];
                    while (!child.HasExited)
                    {
                        pipe.Write(chunk);
                        Interlocked.Add(ref written, chunk.Length);
                    }
                }
                catch (IOException)
                {
                    // The pipe's reader closed (the test ended).
                }
            });

            // Full once a pipe's capacity (64 KiB, sixteen pages) is written and nothing read: watched for, not assumed
            // a fixed second after the filler started (a loaded machine may not have run it yet).
            var clock = Stopwatch.StartNew();
            while (Interlocked.Read(ref written) < 64 * 1024 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Assert.False(filler.IsCompleted, "the filler ended before the pipe was full");
                await Task.Delay(20);
            }

            Assert.True(Interlocked.Read(ref written) >= 64 * 1024, $"only {Interlocked.Read(ref written)} bytes written to the pipe in 30 s");

            // The runtime's createdump is what blocks on the pipe: since review 57 a dump written here (ptrace) does not.
            Capture.DumpCapture.ForceRuntimeDumpForTests.Value = true;
            var e = await Assert.ThrowsAsync<DoctorException>(() => Doctor.DiagnoseProcessAsync(child.Id,
                new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(20) }));
            Capture.DumpCapture.ForceRuntimeDumpForTests.Value = false;
            Assert.Equal(DoctorErrorKind.NotResponding, e.Kind);
            Assert.Contains("createdump blocked writing its progress lines to the process's standard output, a full pipe that nothing reads", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("--timeout", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            child.Kill();
            child.StandardOutput.Dispose();
            if (filler is not null)
            {
                await filler.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
