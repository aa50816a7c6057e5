using System.Runtime.InteropServices;

namespace Brigade.Cli.Run;

/// <summary>The libc calls <c>brigade run</c> needs on Linux and macOS: signalling a command's process group, a file's identity, the argument limit.</summary>
internal static unsafe partial class NativeMethods
{
    public const int SigKill = 9;

    /// <summary>Gets SIGSTOP's number: 19 on Linux, 17 on macOS.</summary>
    public static int SigStop => OperatingSystem.IsMacOS() ? 17 : 19;

    // Large enough for struct stat on every 64-bit Unix (144 bytes on Linux x64, 128 on arm64, 144 on macOS).
    private const int StatBufferSize = 512;

    /// <summary>Sends <paramref name="signal"/> to every process in process group <paramref name="processGroup"/>; false when there is none left.</summary>
    public static bool KillProcessGroup(int processGroup, int signal) =>
        !OperatingSystem.IsWindows() && processGroup > 1 && kill(-processGroup, signal) == 0;

    /// <summary>Gets the device and inode of the file at <paramref name="path"/> (links followed), or null when it does not exist or the platform cannot tell.</summary>
    public static (ulong Device, ulong Inode)? FileIdentity(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var buffer = new byte[StatBufferSize];
        if (Stat(path, buffer) != 0)
        {
            return null;
        }

        // st_ino is a 64-bit field at offset 8 on Linux (x64, arm64) and macOS; st_dev starts at offset 0 (64 bits on
        // Linux, 32 on macOS: its low 32 bits tell devices apart on both).
        return (BitConverter.ToUInt32(buffer, 0), BitConverter.ToUInt64(buffer, 8));
    }

    /// <summary>Gets what kind of file is at <paramref name="path"/> (links followed).</summary>
    public static FileKind KindOf(string path)
    {
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(path))
        {
            return FileKind.Missing;
        }

        // st_mode: a 32-bit field at offset 24 on Linux x64, 16 on the generic Linux layout (arm64, riscv64), a
        // 16-bit one at offset 4 on macOS. Elsewhere, a file is taken to be a regular file.
        int offset;
        if (OperatingSystem.IsLinux())
        {
            offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        }
        else if (OperatingSystem.IsMacOS())
        {
            offset = 4;
        }
        else
        {
            return FileKind.Regular;
        }

        var buffer = new byte[StatBufferSize];
        if (Stat(path, buffer) != 0)
        {
            return FileKind.Missing;
        }

        return (BitConverter.ToUInt16(buffer, offset) & 0xF000) == 0x8000 ? FileKind.Regular : FileKind.Special;
    }

    /// <summary>Gets <c>sysconf(_SC_ARG_MAX)</c>: how many bytes the arguments and environment of a new process may take; 0 when unknown.</summary>
    public static long ArgMax()
    {
        // _SC_ARG_MAX is 0 in glibc and musl, 1 on macOS.
        var name = OperatingSystem.IsLinux() ? 0 : OperatingSystem.IsMacOS() ? 1 : -1;
        if (name < 0)
        {
            return 0;
        }

        try
        {
            return Math.Max(0, sysconf(name));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Tells whether standard descriptor <paramref name="fd"/> (0, 1 or 2) is one brigade was started with: false when it
    /// was closed (<c>&lt;&amp;-</c>, <c>&gt;&amp;-</c>) and the runtime reused the number for a pipe of its own: reading a
    /// closed stdin would wait on that pipe for good. Every descriptor the runtime opens is close-on-exec, and an
    /// inherited one cannot be.
    /// </summary>
    public static bool IsInherited(int fd)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return true;
        }

        try
        {
            // F_GETFD is 1 and FD_CLOEXEC 1 on Linux and macOS; -1 (EBADF) when descriptor 0 is not open at all.
            var flags = fcntl(fd, 1);
            return flags >= 0 && (flags & 1) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return true;
        }
    }

    /// <summary>
    /// Tells whether descriptor <paramref name="fd"/> is a pipe or socket whose reader went away: <c>poll</c> says
    /// POLLERR (a pipe without readers) or POLLHUP. False when it cannot tell (and off Linux and macOS). A write of
    /// nothing does not tell: Linux returns 0 for it before it looks for a reader.
    /// </summary>
    public static bool ReaderGone(int fd)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        try
        {
            // struct pollfd { int fd; short events; short revents; }: POLLOUT 4, POLLERR 8, POLLHUP 16 on both.
            var entry = stackalloc short[4];
            *(int*)entry = fd;
            entry[2] = 4;
            entry[3] = 0;
            return poll(entry, 1, 0) == 1 && (entry[3] & (8 | 16)) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gets why this process may not write <paramref name="path"/> (a <paramref name="directory"/>: create files in it), as
    /// an errno (EACCES, EROFS...), or 0 when it may, when the path is gone, or when the platform cannot tell. It asks the
    /// kernel (<c>access</c>), which knows the file's mode, its ACLs and a read-only mount; root may write anything but a
    /// read-only mount.
    /// </summary>
    public static int WriteDenied(string path, bool directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return 0;
        }

        const int Write = 2, Search = 1; // W_OK, X_OK on Linux and macOS
        try
        {
            if (access(path, directory ? Write | Search : Write) == 0)
            {
                return 0;
            }

            var error = Marshal.GetLastPInvokeError();
            return error == ENoEnt ? 0 : error;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Gets an errno's reason in the words brigade's other file errors use ("permission denied", "Read-only file system").</summary>
    public static string ErrorText(int error) => error switch
    {
        EAccess or EPerm => "permission denied",
        _ => Marshal.GetPInvokeErrorMessage(error).TrimEnd('.'),
    };

    /// <summary>
    /// Opens a FIFO or a device for writing without waiting for a reader (Linux): the descriptor, whose writes then block
    /// as on any pipe, or minus the errno (<see cref="NoReader"/>: a FIFO that no process has open for reading yet).
    /// </summary>
    public static int OpenForWritingNoWait(string path)
    {
        const int WriteOnly = 1, NonBlocking = 0x800, CloseOnExec = 0x80000, GetFlags = 3, SetFlags = 4; // Linux x64 and arm64
        var fd = open(path, WriteOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        var flags = fcntl(fd, GetFlags);
        if (flags < 0 || fcntl(fd, SetFlags, flags & ~NonBlocking) < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = close(fd);
            return -error;
        }

        return fd;
    }

    /// <summary>ENXIO: opening a FIFO for writing, without waiting, that no process has open for reading.</summary>
    public const int NoReader = 6;

    private const int EPerm = 1;
    private const int EAccess = 13;

    private static int Stat(string path, byte[] buffer)
    {
        fixed (byte* b = buffer)
        {
            return stat(path, b);
        }
    }

    /// <summary>Opens (creating it if need be) a lock file for reading and writing, close-on-exec; -1 when it cannot.</summary>
    public static int OpenLockFile(string path)
    {
        // open's mode is a variadic argument, which a fixed P/Invoke signature cannot pass on every ABI (macOS arm64): the
        // file is created by .NET, and opened here with two arguments.
        var flags = OpenReadWrite | (OperatingSystem.IsMacOS() ? 0x1000000 : 0x80000); // O_CLOEXEC
        var fd = open(path, flags);
        if (fd < 0 && Marshal.GetLastPInvokeError() == ENoEnt)
        {
            try
            {
                using var created = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (IOException)
            {
                // Created meanwhile by another run (whose lock may have made .NET's own shared lock fail): opened below.
            }

            fd = open(path, flags);
        }

        return fd;
    }

    /// <summary>Takes an exclusive <c>flock</c> without waiting; <paramref name="busy"/> when another descriptor holds one.</summary>
    public static bool TryLockExclusive(int fd, out bool busy)
    {
        const int LockExclusive = 2, LockNoWait = 4;
        if (flock(fd, LockExclusive | LockNoWait) == 0)
        {
            busy = false;
            return true;
        }

        busy = Marshal.GetLastPInvokeError() == (OperatingSystem.IsMacOS() ? 35 : 11); // EWOULDBLOCK
        return false;
    }

    /// <summary>Reads up to <paramref name="count"/> bytes from the start of the file.</summary>
    public static byte[] ReadAt(int fd, int count)
    {
        var buffer = new byte[count];
        fixed (byte* b = buffer)
        {
            var read = pread(fd, b, (nuint)count, 0);
            return read > 0 ? buffer[..(int)read] : [];
        }
    }

    /// <summary>Replaces the file's content with <paramref name="bytes"/> (best effort).</summary>
    public static void WriteWhole(int fd, byte[] bytes)
    {
        _ = ftruncate(fd, 0);
        fixed (byte* b = bytes)
        {
            _ = pwrite(fd, b, (nuint)bytes.Length, 0);
        }
    }

    /// <summary>Closes a descriptor this class opened.</summary>
    public static void Close(int fd) => _ = close(fd);

    /// <summary>The rows of the terminal on descriptor <paramref name="fd"/>, read now (<c>TIOCGWINSZ</c>), or null when it
    /// is not a terminal or this is not Linux. <c>Console.WindowHeight</c> may answer from a cache that the runtime
    /// invalidates on <c>SIGWINCH</c> from a thread of its own, later on a loaded machine.</summary>
    public static int? TerminalRows(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        WindowSize size;
        return ioctl(fd, GetWindowSize, &size) == 0 && size.Rows > 0 ? size.Rows : null;
    }

    private const nuint GetWindowSize = 0x5413; // TIOCGWINSZ (Linux: x64, arm64)

    private struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    private const int OpenReadWrite = 2;
    private const int ENoEnt = 2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ioctl(int fd, nuint request, WindowSize* size);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int close(int fd);

    // Source-generated (LibraryImport) like the tool's other libc calls: the marshalling is code of this assembly, which
    // ReadyToRun holds, where stat's runtime marshalling (a string, an array) was a stub JIT-compiled at start-up.
    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial long sysconf(int name);

    [LibraryImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int fcntl(int fd, int command);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int stat(string path, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int access(string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int poll(short* fds, nuint count, int timeout);

    // fcntl's third argument is variadic: passed as a fixed one, which Linux's x64 and arm64 ABIs take alike (only
    // OpenForWritingNoWait calls it, on Linux).
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int fcntl(int fd, int command, int argument);
}
