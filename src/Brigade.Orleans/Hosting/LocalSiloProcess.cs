using System.Diagnostics;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans;

/// <summary>
/// A silo running as a child process on this machine (for development, demos and benchmarks): started, awaited until
/// it prints its ready line, and stopped without leaving an orphan.
/// </summary>
/// <remarks>
/// The child must host a silo with <see cref="BrigadeSiloHostingExtensions.UseBrigadeSilo"/> and
/// <see cref="BrigadeSiloOptions.ExitWhenStandardInputCloses"/> (for <c>brigade silo</c>: <c>--exit-on-stdin-close</c>).
/// Its standard input is a pipe held by this process: <see cref="StopAsync"/> closes it and the silo shuts down
/// gracefully; if this process dies, even by SIGKILL, the operating system closes the pipe and the silo exits too.
/// A silo that does not exit within the stop timeout is killed with its process tree.
/// </remarks>
public sealed class LocalSiloProcess : IAsyncDisposable
{
    private const int KeptErrorLines = 20;

    private readonly Process _process;
    private readonly Queue<string> _errors = new();

    // Guards _errors: lines arrive on the process's reader threads.
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;

    // Review 72: the child's start time, read as it starts: names its runtime's files, removed should it be killed.
    private string? _startTime;

    private LocalSiloProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Gets the child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Gets the line the silo printed when it was ready (its addresses and work assemblies).</summary>
    public string ReadyLine => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : "";

    /// <summary>Gets whether the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts a silo process and waits until it is ready to take work.</summary>
    /// <param name="startInfo">The command to run; its redirection settings are overridden.</param>
    /// <param name="readyTimeout">How long to wait for the ready line.</param>
    /// <param name="cancellationToken">Cancels the wait; the child is then stopped.</param>
    /// <returns>The running silo.</returns>
    /// <exception cref="InvalidOperationException">The silo exited or did not become ready in time; the message has its last error lines.</exception>
    public static async Task<LocalSiloProcess> StartAsync(ProcessStartInfo startInfo, TimeSpan readyTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var silo = new LocalSiloProcess(process);
        process.OutputDataReceived += (_, e) => silo.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnError(e.Data);
        process.Exited += (_, _) => silo._ready.TrySetException(new InvalidOperationException(silo.Describe($"exited with code {SafeExitCode(process)} before it was ready")));
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}'.");
        }

        silo._startTime = Brigade.Internal.RuntimeIpcFiles.StartTime(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._ready.Task.WaitAsync(readyTimeout, cancellationToken).ConfigureAwait(false);
            return silo;
        }
        catch (Exception e)
        {
            await silo.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (e is TimeoutException)
            {
                throw new InvalidOperationException(silo.Describe($"was not ready within {readyTimeout.TotalSeconds:0} s"), e);
            }

            throw;
        }
    }

    /// <summary>Stops the silo: closes its standard input, waits for it to exit, and kills its process tree after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long a graceful shutdown may take.</param>
    /// <returns>A task that completes when the process is gone.</returns>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Already gone.
                }

                using var wait = new CancellationTokenSource(timeout);
                try
                {
                    await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);

                    // Killed, it could not remove its runtime's files from the temporary directory (review 72).
                    _ = Brigade.Internal.RuntimeIpcFiles.RemoveAfterKill(_process.Id, _startTime, Brigade.Internal.RuntimeIpcFiles.TemporaryDirectoryOf(_process.StartInfo));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process never started or was already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Stops the silo with a 10 s grace period.</summary>
    /// <returns>A task that completes when the process is gone.</returns>
    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

    private void OnOutput(string? line)
    {
        if (line is not null && line.StartsWith(SiloAnnouncer.ReadyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_errors.Count == KeptErrorLines)
            {
                _errors.Dequeue();
            }

            _errors.Enqueue(line);
        }
    }

    private string Describe(string what)
    {
        lock (_gate)
        {
            var tail = _errors.Count == 0 ? "" : $": {string.Join(" | ", _errors)}";
            return $"The silo process ({_process.StartInfo.FileName} {_process.StartInfo.Arguments}{string.Join(' ', _process.StartInfo.ArgumentList)}) {what}{tail}";
        }
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }
}
