using System.Diagnostics;
using System.Globalization;
using System.Text;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.Review60Lead;

/// <summary>A <c>brigade silo</c> (or other brigade command) in a child process of its own: its ready line awaited, its
/// standard error kept, signals sent to it.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process) => Process = process;

    public Process Process { get; }

    public static SiloProcess Start(params string[] args)
    {
        var info = BrigadeCli.StartInfo(args);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var silo = new SiloProcess(new Process { StartInfo = info });
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

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
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
