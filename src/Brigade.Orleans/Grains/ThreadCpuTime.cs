using System.Runtime.InteropServices;

namespace Brigade.Orleans.Grains;

/// <summary>CPU time consumed by the calling thread, where the operating system reports it (silo side).</summary>
internal static partial class ThreadCpuTime
{
    private const int LinuxClockThreadCpuTimeId = 3;
    private const int MacClockThreadCpuTimeId = 16;

    private static readonly int ClockId =
        OperatingSystem.IsLinux() ? LinuxClockThreadCpuTimeId :
        OperatingSystem.IsMacOS() ? MacClockThreadCpuTimeId : -1;

    private static bool _unavailable = !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows());

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
