using System.Runtime.InteropServices;

namespace Brigade.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT), SIGTERM and SIGHUP into a cancellation of the command's token, and remembers which came first,
/// so that an interrupted command exits 130 after SIGINT, 143 (128 + 15) after SIGTERM and 129 after SIGHUP, as a process
/// stopped by that signal.
/// </summary>
/// <remarks>
/// <para>brigade handles these signals here rather than through System.CommandLine (its
/// <c>ProcessTerminationTimeout</c> is off): the signal must be noted before the token is cancelled, or the command
/// could finish and choose its exit code before a second handler of the same signal ran.</para>
/// <para>The first signal stops the command cleanly (it kills its commands, writes its summary and resume hint; brigade
/// run says so at once, <c>brigade run: stopping (SIGINT): ...</c>); a second one is left to its default action and ends
/// the process at once, for a clean stop that hangs, after the command's line on what that leaves (<see cref="AtForcedExit"/>);
/// the same signal within <see cref="SameSignalWindow"/> of the first is a copy of it (GNU <c>timeout</c>'s), not a second one. A signal
/// ignored when brigade started stays ignored (the .NET runtime leaves it alone; SIGHUP, which the runtime does not
/// handle, is checked here: <c>nohup brigade ...</c> keeps running when its terminal goes).</para>
/// <para>SIGHUP (the terminal closed, an SSH session dropped) killed brigade at once before review 39: its commands were
/// killed by the reaper, but what had finished since the last watermark ran again on resume, and the reaper's
/// documented "brigade handles those itself" was not true of it.</para>
/// </remarks>
internal static class TerminationSignal
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigHup = 1;

    // How long a second signal waits for the terminal to be put back before it ends the process.
    private static readonly TimeSpan ForcedExitRestoreWait = TimeSpan.FromMilliseconds(500);

    private static readonly CancellationTokenSource Source = new();
    private static PosixSignalRegistration? _interrupt;
    private static PosixSignalRegistration? _terminate;
    private static PosixSignalRegistration? _hangUp;
    private static int _signal;

    /// <summary>Gets the exit code of an interrupted command: 143 after SIGTERM, 129 after SIGHUP, 130 otherwise (Ctrl+C, or cancelled by a caller).</summary>
    public static int InterruptedExitCode => Volatile.Read(ref _signal) switch
    {
        SigTerm => ExitCodes.Terminated,
        SigHup => ExitCodes.HungUp,
        _ => ExitCodes.Interrupted,
    };

    /// <summary>Gets the name of the signal that stopped the command ("SIGTERM", "SIGHUP", "SIGINT"), or null when none came.</summary>
    public static string? Name => Volatile.Read(ref _signal) switch
    {
        SigTerm => "SIGTERM",
        SigHup => "SIGHUP",
        SigInt => "SIGINT",
        _ => null,
    };

    /// <summary>
    /// Gets or sets what to put back before a second signal ends the process at once: the progress view's scroll region
    /// and status row, which were left on the terminal (the shell's next lines scrolled above a stale status line until
    /// <c>reset</c>; review 45). Null when there is nothing to put back.
    /// </summary>
    public static Action? BeforeForcedExit { get; set; }

    /// <summary>
    /// Gets or sets what to say before a second signal ends the process at once, once the terminal is put back: the
    /// command's line on what it leaves and how to go on (<c>brigade run</c>: the items done, those killed, the
    /// <c>--resume</c> command). Before run64 the process ended without a word. Null when there is nothing to say.
    /// </summary>
    public static Action? AtForcedExit { get; set; }

    /// <summary>
    /// Gets the token the signals cancel once <see cref="Arm"/> has run, without handling them yet: a <c>brigade run</c>
    /// that may replace itself (<see cref="Run.RunRestart"/>) arms only once it knows it will not, so that a signal before
    /// then ends the process as it would one not yet started, rather than cancelling a token the new image never sees.
    /// </summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>Starts handling SIGINT, SIGTERM and (on Linux, unless ignored) SIGHUP, once per process; returns the token they cancel.</summary>
    public static CancellationToken Arm()
    {
        _interrupt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        if (_hangUp is null && OperatingSystem.IsLinux() && !HangUpIgnored())
        {
            _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle);
        }

        return Source.Token;
    }

    // Started under nohup (or by anything that ignores SIGHUP): a handler would undo what the user asked for.
    private static unsafe bool HangUpIgnored()
    {
        try
        {
            var action = stackalloc byte[Run.ExecNative.SigactionSize];
            return Run.ExecNative.sigaction(SigHup, null, action) != 0 || *(nint*)action == Run.ExecNative.SigIgn;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return true; // unknown: left as it was
        }
    }

    /// <summary>
    /// How soon after the first signal the same signal again is taken as a copy of it, not as a second one: GNU
    /// <c>timeout</c> sends its signal to brigade, then to its own process group, brigade included (<c>kill(pid)</c>,
    /// then <c>kill(0)</c>, microseconds apart), and a <c>kill -TERM</c> of a process group that holds brigade and its
    /// launcher does the same. Each copy is handled on a thread of its own, which a loaded machine may start some tens
    /// of milliseconds late; a person's second Ctrl+C comes 0.3 s or more after the first. Before run67 the copy ended
    /// brigade at once (no clean stop, and what finished since the last watermark ran again on --resume).
    /// </summary>
    internal static readonly TimeSpan SameSignalWindow = TimeSpan.FromMilliseconds(200);

    private static long _firstAt;

    /// <summary>Gets whether <paramref name="signal"/>, <paramref name="elapsed"/> after the first signal
    /// <paramref name="first"/> (null: its time not yet noted, it is being handled now), is a copy of it.</summary>
    internal static bool IsCopyOfFirst(int first, TimeSpan? elapsed, int signal) =>
        signal == first && (elapsed is not { } e || e < SameSignalWindow);

    private static void Handle(PosixSignalContext context)
    {
        var signal = context.Signal == PosixSignal.SIGTERM ? SigTerm : context.Signal == PosixSignal.SIGHUP ? SigHup : SigInt;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var first = Interlocked.CompareExchange(ref _signal, signal, 0);
        if (first == 0)
        {
            Volatile.Write(ref _firstAt, now);
        }
        else
        {
            var firstAt = Volatile.Read(ref _firstAt);
            if (IsCopyOfFirst(first, firstAt == 0 ? null : System.Diagnostics.Stopwatch.GetElapsedTime(firstAt, now), signal))
            {
                context.Cancel = true; // the same signal, sent twice at once: the stop it started goes on
                return;
            }

            // A second signal: its default action ends the process, once the terminal is put back. Not waited for long:
            // a terminal that takes no output (Ctrl+S, a stuck pager) would hold the write, and this signal is the way
            // out of a stop that hangs.
            var restoreView = BeforeForcedExit;
            var say = AtForcedExit;
            if (restoreView is not null || say is not null)
            {
                // On a thread of its own, not the pool's: at load the pool's queue (busy with the clean stop of the first
                // signal) outlasted the wait, and the process ended with the terminal as the view had set it (ci108).
                using var restored = new ManualResetEventSlim();
                var thread = new Thread(() =>
                {
                    try
                    {
                        restoreView?.Invoke();
                        say?.Invoke();
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
                    {
                        // The terminal is gone: nothing to put back, nothing to say.
                    }
                    finally
                    {
                        restored.Set();
                    }
                })
                { IsBackground = true, Name = "brigade terminal restore" };
                thread.Start();
                restored.Wait(ForcedExitRestoreWait);
            }

            return;
        }

        context.Cancel = true;
        Source.Cancel();
    }
}
