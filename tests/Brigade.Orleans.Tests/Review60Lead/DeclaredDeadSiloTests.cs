using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review60Lead;

/// <summary>
/// Review 60, by hand: a silo frozen (<c>kill -STOP</c>) until the other declared it dead, then resumed (<c>kill -CONT</c>),
/// ended through Orleans' fatal-error handler: "FATAL EXCEPTION from ..." with the whole current stack (about 40 lines),
/// then <c>Environment.FailFast</c> (exit 134, SIGABRT). It now stops with one verdict line, its last, and exits 1.
/// </summary>
public sealed class DeclaredDeadSiloTests
{
    [Fact(Timeout = 240_000)]
    public async Task ASiloDeclaredDead_ThenResumed_StopsWithOneLine_AndExit1()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var ports = FreePorts.On([IPAddress.Loopback], 4).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
        using var primary = Silo.Start(ports[0], ports[1], ports[0]);
        using var frozen = Silo.Start(ports[2], ports[3], ports[0]);
        try
        {
            await primary.ReadyAsync();
            await frozen.ReadyAsync();

            Signal("STOP", frozen.Process.Id);
            try
            {
                // Until the primary's view of the cluster has only itself: the frozen silo was declared dead.
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    var (_, status, _, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(60), "cluster", "status", "--gateway", ports[1]);
                    if (status.Contains(": 1 silo,", StringComparison.Ordinal) && !status.Contains($":{ports[2]} ", StringComparison.Ordinal))
                    {
                        break;
                    }

                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"the frozen silo was not declared dead within 150 s:\n{status}");
                    await Task.Delay(1000);
                }
            }
            finally
            {
                Signal("CONT", frozen.Process.Id);
            }

            await frozen.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var log = frozen.Log();
            Assert.True(frozen.Process.ExitCode == 1, $"exit {frozen.Process.ExitCode}:\n{log}");
            var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith($"brigade silo 127.0.0.1:{ports[2]}: stopped by the cluster: the other silos declared it dead", lines[^1], StringComparison.Ordinal);
            Assert.DoesNotContain("FATAL EXCEPTION", log, StringComparison.Ordinal);
            Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        }
        finally
        {
            primary.Stop();
            frozen.Stop();
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private sealed class Silo : IDisposable
    {
        private readonly StringBuilder _log = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Silo(Process process) => Process = process;

        public Process Process { get; }

        public static Silo Start(string port, string gateway, string primaryPort)
        {
            var info = BrigadeCli.StartInfo("silo", "--port", port, "--gateway-port", gateway, "--primary-port", primaryPort, "--failure-detection", "fast", "--exit-on-stdin-close");
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            var silo = new Silo(new Process { StartInfo = info });
            silo.Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.StartsWith("brigade silo ready", StringComparison.Ordinal) == true)
                {
                    silo._ready.TrySetResult();
                }
            };
            silo.Process.ErrorDataReceived += (_, e) =>
            {
                lock (silo._log)
                {
                    silo._log.AppendLine(e.Data);
                }
            };
            silo.Process.Start();
            silo.Process.BeginOutputReadLine();
            silo.Process.BeginErrorReadLine();
            return silo;
        }

        public async Task ReadyAsync()
        {
            await Task.WhenAny(_ready.Task, Process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(_ready.Task.IsCompleted, $"the silo did not say it was ready:\n{Log()}");
        }

        public string Log()
        {
            // After an exit, the readers reach the end first.
            if (Process.HasExited)
            {
                Process.WaitForExit();
            }

            lock (_log)
            {
                return _log.ToString();
            }
        }

        public void Stop()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
        }

        public void Dispose() => Process.Dispose();
    }
}
