using System.Diagnostics;
using System.Text;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>A server process a test started (redis-server, postgres): its output kept for failure messages, killed by its pid.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    // Guards _output: lines arrive on the process's reader threads.
    private readonly Lock _gate = new();

    public ChildProcess(string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Sends a signal by pid (SIGINT asks postgres for a fast shutdown), then kills what is left after <paramref name="grace"/>.</summary>
    public void Stop(string signal, TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false }))
        {
            kill?.WaitForExit(5_000);
        }

        if (!_process.WaitForExit(grace))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    /// <summary>Runs a short command to its end; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string fileName, params string[] args)
    {
        using var child = new ChildProcess(fileName, args);
        if (!child._process.WaitForExit(60_000))
        {
            return (-1, $"{fileName} did not finish within 60 s: {child.Output}");
        }

        child._process.WaitForExit();
        return (child._process.ExitCode, child.Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }
}
