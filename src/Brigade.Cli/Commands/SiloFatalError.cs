using Microsoft.Extensions.Hosting;

namespace Brigade.Cli.Commands;

/// <summary>
/// Orleans' fatal errors on a <c>brigade silo</c>: a verdict in one line and a stop, instead of Orleans' default handler.
/// </summary>
/// <remarks>
/// Review 60: a silo frozen (<c>kill -STOP</c>, a paused VM, a long GC) long enough for the others to declare it dead, then
/// resumed, reads that it is dead in the membership table and calls the fatal-error handler. Orleans' default writes
/// "FATAL EXCEPTION from ..." with the whole current stack (about 40 lines), sleeps 2 s and calls
/// <c>Environment.FailFast</c>: the process aborts (exit 134, a core dump where they are on) for what is the cluster working
/// as designed. This handler records the verdict, mutes the silo's log (Orleans' warnings of the non-graceful stop that
/// follows would only bury it) and stops the host; the command writes the verdict as its last line and exits 1. A stop
/// that overruns the silo's <see cref="SiloStopBound"/> (a silo cut off from its membership store may) ends the process
/// there.
/// </remarks>
internal sealed class SiloFatalError(string silo, SiloStopBound bound) : global::Orleans.Runtime.IFatalErrorHandler
{
    private IHostApplicationLifetime? _lifetime;
    private Action? _mute;
    private string? _verdict;

    /// <summary>The verdict line once a fatal error happened; null before.</summary>
    public string? Verdict => Volatile.Read(ref _verdict);

    /// <summary>Gives the handler the built host's lifetime (to stop it) and what mutes its log.</summary>
    public void Attach(IHostApplicationLifetime lifetime, Action mute)
    {
        _lifetime = lifetime;
        _mute = mute;
    }

    /// <inheritdoc/>
    public bool IsUnexpected(Exception exception) => true;

    /// <inheritdoc/>
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        if (Interlocked.CompareExchange(ref _verdict, Describe(silo, context, exception), null) is not null)
        {
            return;
        }

        // Before the host started (no lifetime yet) the verdict is all there is: the start fails and says so.
        _mute?.Invoke();
        if (_lifetime is { } lifetime)
        {
            _ = bound.Start(_verdict!, ExitCodes.Failure);
            lifetime.StopApplication();
        }
    }

    /// <summary>The verdict for one fatal error.</summary>
    /// <param name="silo">The silo's address and port.</param>
    /// <param name="context">Orleans' context: for a silo declared dead, "I have been told I am dead, ...".</param>
    /// <param name="exception">The exception, when the fatal error is one.</param>
    /// <returns>One line.</returns>
    internal static string Describe(string silo, string? context, Exception? exception)
    {
        if (context is not null && context.StartsWith("I have been told I am dead", StringComparison.Ordinal))
        {
            var why = context.Contains("newer version of myself", StringComparison.OrdinalIgnoreCase)
                ? "a newer silo started at this silo's address and port took its place"
                : "the other silos declared it dead: it did not answer their probes (frozen, paused, cut off from them, or too busy to answer) for longer than failure detection allows";
            return $"brigade silo {silo}: stopped by the cluster: {why}. Its unfinished items are retried on the other silos; " +
                "start it again to rejoin (a silo declared dead cannot come back under the same generation)";
        }

        var what = exception is null ? "" : $": {exception.GetBaseException().GetType().Name}: {SiloLogFormatter.Gist(exception.GetBaseException().Message)}";
        return $"brigade silo {silo}: stopped by a fatal error in Orleans ({SiloLogFormatter.OneLine(context ?? "no context")}){what}; start it again to rejoin";
    }
}
