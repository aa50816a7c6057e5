namespace Brigade.Cli.Run;

/// <summary>
/// SIGXFSZ, which the kernel sends a process whose write crosses its file size limit (<c>ulimit -f</c>): at its default
/// it ends the process at once. The .NET runtime leaves it there, so a run under such a limit (a CI runner's, a shared
/// machine's) died at the write that crossed it, exit 153, without its summary or the <c>--resume</c> command, its journal
/// cut mid-line (run60). Ignored, the write fails with EFBIG ("File too large") and the run stops as on a full disk: one
/// line naming the path, the summary, the resume command, exit 1.
/// </summary>
internal static class FileSizeSignal
{
    /// <summary>SIGXFSZ on Linux (x86-64 and arm64).</summary>
    public const int Number = 25;

    /// <summary>Gets whether brigade set SIGXFSZ to ignored (it was at its default): commands then get it at its default again.</summary>
    public static bool IgnoredByBrigade { get; private set; }

    /// <summary>Ignores SIGXFSZ in this process unless it was ignored already (then it stays so, in the commands too, as other
    /// signals brigade was started with ignored). Linux only; before the first command starts.</summary>
    public static unsafe void Ignore()
    {
        if (!OperatingSystem.IsLinux() || IgnoredByBrigade)
        {
            return;
        }

        var old = stackalloc byte[ExecNative.SigactionSize];
        var action = stackalloc byte[ExecNative.SigactionSize];
        new Span<byte>(action, ExecNative.SigactionSize).Clear();
        *(nint*)action = ExecNative.SigIgn;
        if (ExecNative.sigaction(Number, null, old) == 0 && *(nint*)old != ExecNative.SigIgn && ExecNative.sigaction(Number, action, null) == 0)
        {
            IgnoredByBrigade = true;
        }
    }
}
