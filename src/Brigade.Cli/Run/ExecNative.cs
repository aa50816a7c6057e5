using System.Runtime.InteropServices;

namespace Brigade.Cli.Run;

/// <summary>
/// The Linux (glibc) calls behind <see cref="ExecSpawner"/>: <c>posix_spawn</c> with a new session, pipes, a pidfd per
/// child, <c>epoll</c>, <c>wait4</c> for the exit status and the CPU time, and a shared memory file for the reaper.
/// Constants are the Linux values, the same on x64 and arm64.
/// </summary>
internal static unsafe partial class ExecNative
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int ENOEXEC = 8;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int ENAMETOOLONG = 36;
    public const int ELOOP = 40;

    public const int OCloexec = 0x80000;
    public const int ONonblock = 0x800;
    public const int ORdonly = 0;
    public const int FGetfl = 3;
    public const int FSetfl = 4;
    public const int XOk = 1;

    public const short PosixSpawnSetsigdef = 0x04;
    public const short PosixSpawnSetsid = 0x80;

    public const int SigKill = 9;
    public const int SigPipe = 13;
    public const int SigChld = 17;
    public const int SigStop = 19;
    public const int SigCont = 18;

    public const int WNohang = 1;

    /// <summary>The highest signal number (glibc's <c>_NSIG</c> - 1 on Linux).</summary>
    public const int SignalCount = 64;

    /// <summary><c>SIG_IGN</c>, as the first field of <c>struct sigaction</c>.</summary>
    public const nint SigIgn = 1;

    public const int EpollCtlAdd = 1;
    public const int EpollCtlMod = 3;
    public const uint EpollOneShot = 1u << 30;
    public const uint EpollIn = 0x001;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const uint MfdCloexec = 1;

    // Room for glibc's posix_spawnattr_t (336 bytes), posix_spawn_file_actions_t (80), sigset_t (128), struct
    // rusage (144) and struct sigaction (152) on every 64-bit Linux.
    public const int SpawnAttrSize = 512;
    public const int FileActionsSize = 256;
    public const int SigsetSize = 256;
    public const int RusageSize = 256;
    public const int SigactionSize = 512;

    private const long SysPidfdOpen = 434; // the same number on every architecture since Linux 5.3

    /// <summary>Gets the size of <c>struct epoll_event</c>: packed (12 bytes) on x64, 16 elsewhere.</summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static int PidfdOpen(int pid) => (int)syscall(SysPidfdOpen, pid, 0);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long arg1, long arg2);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int oflag, uint mode);

    /// <summary>glibc 2.29 and later, musl 1.1.24 and later: the child changes to the directory before its exec.</summary>
    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport("libc")]
    public static partial int posix_spawnp(int* pid, byte* file, void* actions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc")]
    public static partial int posix_spawn(int* pid, byte* path, void* actions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int access(byte* path, int mode);

    [LibraryImport("libc")]
    public static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    public static partial int sigaddset(void* set, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sigaction(int signal, void* action, void* oldAction);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int wait4(int pid, int* status, int options, void* rusage);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    public static partial int getpid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, void* evt);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, void* events, int maxEvents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int memfd_create(byte* name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint mmap(nint address, nint length, int protection, int flags, int fd, long offset);

    /// <summary>Decodes a <c>wait4</c> status the way a shell reports it: the exit code, or 128 + the signal that killed the process.</summary>
    public static int ExitCode(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }
}
