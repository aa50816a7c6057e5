using System.Runtime.InteropServices;

namespace Brigade.Processes.Worker;

/// <summary>The few libc calls a worker needs on Linux and macOS: descriptor plumbing, parent-death signal, immediate exit.</summary>
internal static partial class NativeMethods
{
    public const int PrSetPdeathsig = 1;
    public const int SigKill = 9;
    public const int FDupfdCloexec = 1030;
    public const int ORdonly = 0;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc")]
    public static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void _exit(int status);
}
