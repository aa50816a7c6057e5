using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests;

/// <summary>SIGINT and SIGTERM stop <c>brigade silo</c> cleanly, with the exit code of the signal.</summary>
/// <remarks>The signal comes once the silo listens, which is during its start here (its membership is not up yet): this
/// covers the stop of a starting silo, not the stop of a started one (SiloCommand's WaitForShutdownAsync path).</remarks>
public sealed class SiloInterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Theory(Timeout = 120_000)]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task Silo_SignalWhileStarting_StopsTheSilo_WithTheSignalsExitCode(int signal, int exitCode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var (port, gateway) = TwoFreePorts();
        using var brigade = CliProcess.StartInOwnGroup(dir.Path, "silo", "--port", $"{port}", "--gateway-port", $"{gateway}");
        try
        {
            var stderr = brigade.StandardError.ReadToEndAsync();

            // Listening on its gateway: the silo is starting.
            var clock = Stopwatch.StartNew();
            while (!Listening(gateway))
            {
                Assert.False(brigade.HasExited, $"the silo exited early ({(brigade.HasExited ? brigade.ExitCode : -1)}): {(brigade.HasExited ? await stderr : "")}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the silo did not listen within 60 s");
                await Task.Delay(50);
            }

            Assert.True(NativeMethods.KillProcessGroup(brigade.Id, signal));

            // Bounded by the silo's 15 s shutdown timeout, with room for a loaded machine.
            await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(45));
            Assert.True(exitCode == brigade.ExitCode, $"exit {brigade.ExitCode}, expected {exitCode}: {await stderr}");
        }
        finally
        {
            if (!brigade.HasExited)
            {
                brigade.Kill();
            }
        }
    }

    // Both sockets stay bound until both ports are read: one closed before the other is bound may hand out the same port
    // twice (ci139: "--port and --gateway-port must differ").
    private static (int Port, int Gateway) TwoFreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }

    private static bool Listening(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }
}
