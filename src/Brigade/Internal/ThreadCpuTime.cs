using System.Runtime.InteropServices;

namespace Brigade.Internal;

/// <summary>CPU time consumed by the calling thread, where the operating system reports it.</summary>
internal static partial class ThreadCpuTime
{
    private const int LinuxClockThreadCpuTimeId = 3;
    private const int MacClockThreadCpuTimeId = 16;

    private static readonly int ClockId =
        OperatingSystem.IsLinux() ? LinuxClockThreadCpuTimeId :
        OperatingSystem.IsMacOS() ? MacClockThreadCpuTimeId : -1;

    private static bool _unavailable = !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows());

    /// <summary>Gets whether per-thread CPU time can be measured on this platform.</summary>
    public static bool IsSupported => !_unavailable;

    /// <summary>Returns the calling thread's CPU time in ticks (100 ns), or -1 where it cannot be measured.</summary>
    public static long NowTicks()
    {
        if (_unavailable)
        {
            return -1;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                return GetThreadTimes(GetCurrentThread(), out _, out _, out var kernel, out var user) ? kernel + user : -1;
            }

            return clock_gettime(ClockId, out var ts) == 0 ? (ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100) : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return -1;
        }
    }

    /// <summary>
    /// Gets a handle to the calling thread's CPU clock that other threads can read with <see cref="ReadTicks"/> (a
    /// watchdog measuring whether a thread is busy); -1 where that is not supported (Linux and Windows are).
    /// </summary>
    public static long OpenCurrentThreadClock()
    {
        if (_unavailable)
        {
            return -1;
        }

        try
        {
            if (OperatingSystem.IsLinux())
            {
                return pthread_getcpuclockid(pthread_self(), out var clockId) == 0 ? clockId : -1;
            }

            if (OperatingSystem.IsWindows())
            {
                var handle = OpenThread(ThreadQueryLimitedInformation, false, GetCurrentThreadId());
                return handle == IntPtr.Zero ? -1 : (long)handle;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }

        return -1;
    }

    /// <summary>Reads a clock opened by <see cref="OpenCurrentThreadClock"/>, in ticks (100 ns); -1 if it cannot be read
    /// (the thread exited).</summary>
    public static long ReadTicks(long clock)
    {
        if (clock == -1)
        {
            return -1;
        }

        if (OperatingSystem.IsWindows())
        {
            return GetThreadTimes(new IntPtr(clock), out _, out _, out var kernel, out var user) ? kernel + user : -1;
        }

        return clock_gettime((int)clock, out var ts) == 0 ? (ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100) : -1;
    }

    private const int ThreadQueryLimitedInformation = 0x0800;

    [LibraryImport("libc")]
    private static partial nuint pthread_self();

    [LibraryImport("libc")]
    private static partial int pthread_getcpuclockid(nuint thread, out int clockId);

    [LibraryImport("kernel32.dll")]
    private static partial int GetCurrentThreadId();

    [LibraryImport("kernel32.dll")]
    private static partial IntPtr OpenThread(int access, [MarshalAs(UnmanagedType.Bool)] bool inherit, int threadId);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clockId, out Timespec value);

    [LibraryImport("kernel32.dll")]
    private static partial IntPtr GetCurrentThread();

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetThreadTimes(IntPtr thread, out long creation, out long exit, out long kernel, out long user);
}
