namespace Brigade.Cli.Commands;

/// <summary>
/// The longest a <c>brigade silo</c> takes to stop once asked to (a signal, or a fatal error of Orleans): past
/// <see cref="After"/> it says so in one line and ends the process with the exit code the stop would have had.
/// </summary>
/// <remarks>
/// The host's shutdown timeout (15 s) cancels the token Orleans' lifecycle stops are given, but not every stage heeds it:
/// review 60, a silo whose Redis membership store had gone took 120 s to end after SIGTERM (its membership agent waited
/// 60 s to write its own death into a store that did not answer), past what a service manager waits before SIGKILL
/// (systemd: 90 s; Kubernetes: 30 s). A second signal still ends it at once (TerminationSignal).
/// </remarks>
/// <param name="stderr">Where the line goes.</param>
/// <param name="exit">Ends the process with an exit code (<see cref="Environment.Exit"/>; a test's recorder).</param>
internal sealed class SiloStopBound(TextWriter stderr, Action<int>? exit = null)
{
    /// <summary>The host's shutdown timeout (15 s) and a margin.</summary>
    internal static readonly TimeSpan After = TimeSpan.FromSeconds(20);

    private int _started;
    private volatile bool _stopped;

    /// <summary>Starts the bound (once; later calls do nothing).</summary>
    /// <param name="line">The line written if the stop overruns the bound (" (did not stop within 20 s: ended)" follows it).</param>
    /// <param name="exitCode">The process's exit code then.</param>
    /// <param name="after">The bound; <see cref="After"/> when null.</param>
    /// <returns>The watch, done once the bound has passed (and the process was ended, unless the host had stopped).</returns>
    public Task Start(string line, int exitCode, TimeSpan? after = null)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return Task.CompletedTask;
        }

        var bound = after ?? After;
        return Task.Run(async () =>
        {
            await Task.Delay(bound).ConfigureAwait(false);
            if (_stopped)
            {
                return;
            }

            await stderr.WriteLineAsync($"{line} (the silo did not stop within {bound.TotalSeconds:0} s: ended)").ConfigureAwait(false);
            await stderr.FlushAsync().ConfigureAwait(false);
            (exit ?? Environment.Exit)(exitCode);
        });
    }

    /// <summary>Says that the host has stopped: the bound ends nothing after that.</summary>
    public void Stopped() => _stopped = true;
}
