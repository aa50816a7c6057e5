using System.Runtime.InteropServices;

namespace Brigade.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation of the command's token, and remembers which came first, so that
/// an interrupted command exits 130 after SIGINT and 143 (128 + 15) after SIGTERM, as a process stopped by that signal.
/// </summary>
/// <remarks>
/// <para>brigade handles these signals here rather than through System.CommandLine (its
/// <c>ProcessTerminationTimeout</c> is off): the signal must be noted before the token is cancelled, or the command
/// could finish and choose its exit code before a second handler of the same signal ran.</para>
/// <para>The first signal stops the command cleanly (it kills its commands, writes its summary and resume hint); a
/// second one is left to its default action and ends the process at once, for a clean stop that hangs. A signal
/// ignored when brigade started stays ignored (the .NET runtime leaves it alone).</para>
/// </remarks>
internal static class TerminationSignal
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    private static readonly CancellationTokenSource Source = new();
    private static PosixSignalRegistration? _interrupt;
    private static PosixSignalRegistration? _terminate;
    private static int _signal;

    /// <summary>Gets the exit code of an interrupted command: 143 after SIGTERM, 130 otherwise (Ctrl+C, or cancelled by a caller).</summary>
    public static int InterruptedExitCode => Volatile.Read(ref _signal) == SigTerm ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Starts handling SIGINT and SIGTERM (once per process); returns the token they cancel.</summary>
    public static CancellationToken Arm()
    {
        _interrupt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        return Source.Token;
    }

    private static void Handle(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _signal, context.Signal == PosixSignal.SIGTERM ? SigTerm : SigInt, 0) != 0)
        {
            return; // a second signal: its default action ends the process
        }

        context.Cancel = true;
        Source.Cancel();
    }
}
