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
            filler = Task.Run(() =>
            {
                try
                {
                    using var pipe = new FileStream($"/proc/{child.Id}/fd/1", FileMode.Open, FileAccess.Write);
                    var chunk = new byte[4096];
                    while (!child.HasExited)
                    {
                        pipe.Write(chunk);
                    }
                }
                catch (IOException)
                {
                    // The pipe's reader closed (the test ended).
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(1));

            var e = await Assert.ThrowsAsync<DoctorException>(() => Doctor.DiagnoseProcessAsync(child.Id,
                new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(20) }));
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
