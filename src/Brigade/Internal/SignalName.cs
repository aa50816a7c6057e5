namespace Brigade.Internal;

/// <summary>
/// The name of a Unix signal by its number, as the kernel of this machine numbers them: a failure line (a command of
/// <c>brigade run</c>, a worker process) says <c>signal 9, SIGKILL</c> rather than a number the user has to look up (and
/// which differs between Linux and the BSDs above 6: 10 is SIGUSR1 on Linux, SIGBUS on macOS).
/// </summary>
internal static class SignalName
{
    private static readonly string[] Linux =
    [
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
        "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    private static readonly string[] Bsd =
    [
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT", "SIGFPE", "SIGKILL", "SIGBUS", "SIGSEGV",
        "SIGSYS", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGURG", "SIGSTOP", "SIGTSTP", "SIGCONT", "SIGCHLD", "SIGTTIN",
        "SIGTTOU", "SIGIO", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGINFO", "SIGUSR1", "SIGUSR2",
    ];

    /// <summary>Gets the name of signal <paramref name="signal"/> on this operating system (<c>SIGRTMIN+3</c> for Linux's
    /// real-time signals), or null where it has none (Windows, a number out of range).</summary>
    public static string? Of(int signal) => Of(signal, OperatingSystem.IsLinux() ? Linux : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? Bsd : null);

    /// <summary>The same for a given table, for tests of the other kernel's numbering.</summary>
    internal static string? Of(int signal, IReadOnlyList<string>? table) => table switch
    {
        null => null,
        _ when signal >= 1 && signal <= table.Count => table[signal - 1],
        _ when ReferenceEquals(table, Linux) && signal is >= 34 and <= 64 => signal == 34 ? "SIGRTMIN" : signal == 64 ? "SIGRTMAX" : $"SIGRTMIN+{signal - 34}",
        _ => null,
    };

    /// <summary>Gets the BSD numbering (macOS, FreeBSD), for tests.</summary>
    internal static IReadOnlyList<string> BsdTable => Bsd;

    /// <summary>Gets the Linux numbering, for tests.</summary>
    internal static IReadOnlyList<string> LinuxTable => Linux;
}
