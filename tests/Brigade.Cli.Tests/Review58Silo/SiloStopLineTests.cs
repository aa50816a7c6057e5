using System.Net;
using System.Net.Sockets;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review58Silo;

/// <summary>A started silo stopped by SIGTERM says so on stderr: a run that lost it says "the silo's log says why it left",
/// and until review 58 that log was empty (the silo exited 143 without a word).</summary>
public sealed class SiloStopLineTests
{
    private const int SigTerm = 15;

    [Fact(Timeout = 120_000)]
    public async Task StartedSilo_Sigterm_SaysItLeavesTheCluster_AndExits143()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var (port, gateway) = TwoFreePorts();
        using var brigade = CliProcess.StartInOwnGroup(dir.Path, "silo", "--port", $"{port}", "--gateway-port", $"{gateway}", "--primary-port", $"{port}");
        try
        {
            var stderr = brigade.StandardError.ReadToEndAsync();

            // The ready line: the silo has started, so the signal takes the started silo's stop path.
            string? line;
            while ((line = await brigade.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90))) is not null && !line.StartsWith("brigade silo ready", StringComparison.Ordinal))
            {
            }

            Assert.True(line is not null, $"the silo ended before it was ready (exit {(brigade.HasExited ? brigade.ExitCode : -1)}): {(brigade.HasExited ? await stderr : "")}");
            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, SigTerm));

            await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(45));
            var said = await stderr;
            Assert.True(brigade.ExitCode == 143, $"exit {brigade.ExitCode}: {said}");
            Assert.Contains($"brigade silo 127.0.0.1:{port} stopping (SIGTERM): leaving the cluster", said, StringComparison.Ordinal);
        }
        finally
        {
            if (!brigade.HasExited)
            {
                brigade.Kill(entireProcessTree: true);
            }
        }
    }

    private static (int Port, int Gateway) TwoFreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }
}
