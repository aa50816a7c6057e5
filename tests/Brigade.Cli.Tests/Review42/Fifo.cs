using System.Diagnostics;

namespace Brigade.Cli.Tests.Review42;

/// <summary>Named pipes for the FIFO input and output tests.</summary>
internal static class Fifo
{
    /// <summary>Makes a FIFO in <paramref name="dir"/>; false where there are none to make (not Linux, no mkfifo).</summary>
    public static bool Make(TempDirectory dir, string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        using var mkfifo = Process.Start("mkfifo", [dir.File(name)])!;
        mkfifo.WaitForExit();
        return mkfifo.ExitCode == 0;
    }
}
