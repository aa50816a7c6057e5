using Brigade.Cli.Run;

namespace Brigade.Cli;

/// <summary>Which of the standard descriptors are one open file: stdout and stderr of <c>2&gt;&amp;1</c>, <c>&amp;&gt; log</c>, a terminal.</summary>
internal static class StandardStreams
{
    /// <summary>
    /// Tells whether descriptors <paramref name="first"/> and <paramref name="second"/> are the same file (the same device
    /// and inode: one pipe, FIFO, terminal or file); false when either is not open or the platform cannot tell.
    /// </summary>
    public static bool SameFile(int first, int second)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        try
        {
            // stat follows /dev/fd/N (Linux: /proc/self/fd/N) to the open file itself, a pipe's or socket's included: fstat's answer.
            return NativeMethods.FileIdentity($"/dev/fd/{first}") is { } a && NativeMethods.FileIdentity($"/dev/fd/{second}") is { } b && a == b;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
