using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Brigade.Processes.Worker;

/// <summary>
/// Takes the protocol channel off the standard descriptors, so that work which prints (managed or native) or reads
/// the console cannot corrupt it: stdin and stdout move to private close-on-exec descriptors, descriptor 1 then
/// points at stderr (which the host captures) and descriptor 0 at /dev/null.
/// </summary>
internal static class Stdio
{
    public static (Stream Input, Stream Output) TakeOver()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var stdinPipe = Target(0);
            var stdoutPipe = Target(1);
            var input = Check(NativeMethods.fcntl(0, NativeMethods.FDupfdCloexec, 3), "dup stdin");
            var output = Check(NativeMethods.fcntl(1, NativeMethods.FDupfdCloexec, 3), "dup stdout");
            Check(NativeMethods.dup2(2, 1), "dup2 stderr to stdout");
            var devNull = NativeMethods.open("/dev/null", NativeMethods.ORdonly);
            if (devNull >= 0)
            {
                NativeMethods.dup2(devNull, 0);
            }

            // The runtime keeps duplicates of the standard descriptors for its own use. While one of them holds the
            // results pipe, the host would see no end-of-stream if this worker closed the channel and lived on:
            // point those duplicates elsewhere, so that our close-on-exec copies are the only ends of the channel.
            if (OperatingSystem.IsLinux() && stdoutPipe is not null)
            {
                foreach (var entry in Directory.GetFiles("/proc/self/fd"))
                {
                    if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2 && fd != input && fd != output && fd != devNull)
                    {
                        var target = Target(fd);
                        if (target == stdoutPipe)
                        {
                            NativeMethods.dup2(2, fd);
                        }
                        else if (target == stdinPipe && devNull >= 0)
                        {
                            NativeMethods.dup2(devNull, fd);
                        }
                    }
                }
            }

            if (devNull >= 0)
            {
                NativeMethods.close(devNull);
            }

            Console.SetOut(new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });
            return (
                new FileStream(new SafeFileHandle(input, ownsHandle: true), FileAccess.Read, bufferSize: 0),
                new FileStream(new SafeFileHandle(output, ownsHandle: true), FileAccess.Write, bufferSize: 0));
        }

        var stdin = Console.OpenStandardInput();
        var stdout = Console.OpenStandardOutput();
        Console.SetOut(new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });
        Console.SetIn(TextReader.Null);
        return (stdin, stdout);
    }

    private static string? Target(int fd)
    {
        try
        {
            return OperatingSystem.IsLinux() ? new FileInfo($"/proc/self/fd/{fd}").LinkTarget : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int Check(int result, string what)
    {
        if (result < 0)
        {
            throw new IOException($"{what} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return result;
    }
}
