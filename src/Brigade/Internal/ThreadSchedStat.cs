using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Brigade.Internal;

/// <summary>
/// Linux scheduler statistics of one thread of this process: how long it waited in the run queue for a core
/// (<c>/proc/self/task/TID/schedstat</c>), and its CPU time read from any thread.
/// </summary>
/// <remarks>
/// <para>Run-queue wait is what makes CPU-bound work look partly idle on a busy machine: a thread that is ready but
/// not scheduled accrues wall time without CPU time. Subtracting it separates "waiting for a core" from "waiting for
/// I/O", which is what auto mode's classification needs.</para>
/// <para>Reading costs about 3 µs (a <c>pread</c> of a procfs file), so callers read it per batch, not per item.
/// Everything here returns -1 where the platform does not provide the figure.</para>
/// </remarks>
internal sealed partial class ThreadSchedStat : IDisposable
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    // The calling thread's reader, kept across runs: opening the procfs file costs tens of microseconds, and pool
    // threads serve many runs. Dedicated threads release theirs when they end.
    [ThreadStatic]
    private static ThreadSchedStat? _current;

    private readonly SafeFileHandle _handle;
    private SafeFileHandle? _stat;
    private SafeFileHandle? _syscall;

    private ThreadSchedStat(int threadId, SafeFileHandle handle)
    {
        ThreadId = threadId;
        _handle = handle;
    }

    /// <summary>Gets whether run-queue statistics can be read on this machine.</summary>
    public static bool IsSupported => !_unavailable;

    /// <summary>Gets the operating-system id of the thread this reader follows.</summary>
    public int ThreadId { get; }

    /// <summary>Returns the calling thread's operating-system id, or -1 where unavailable.</summary>
    public static int CurrentThreadId()
    {
        if (_unavailable)
        {
            return -1;
        }

        try
        {
            return gettid();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return -1;
        }
    }

    /// <summary>Returns the calling thread's reader (opened once per thread), or null where unavailable.</summary>
    public static ThreadSchedStat? ForCurrentThread(int threadId)
    {
        var current = _current;
        if (current?.ThreadId == threadId)
        {
            return current;
        }

        current?.Dispose();
        return _current = Open(threadId);
    }

    /// <summary>Closes the calling thread's reader, for threads about to end.</summary>
    public static void ReleaseCurrentThread()
    {
        _current?.Dispose();
        _current = null;
    }

    /// <summary>Opens the statistics of thread <paramref name="threadId"/> of this process, or returns null.</summary>
    public static ThreadSchedStat? Open(int threadId)
    {
        if (_unavailable || threadId <= 0)
        {
            return null;
        }

        try
        {
            var handle = File.OpenHandle($"/proc/self/task/{threadId}/schedstat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var reader = new ThreadSchedStat(threadId, handle);

            // The first read compiles the parser (milliseconds in a young process): done here, outside any interval
            // the caller measures.
            _ = reader.RunQueueWaitTicks();
            return reader;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Kernels built without scheduler statistics have no such file: stop trying for the whole process.
            if (e is FileNotFoundException or DirectoryNotFoundException && threadId == CurrentThreadId())
            {
                _unavailable = true;
            }

            return null;
        }
    }

    /// <summary>Returns how long the thread has waited in the run queue since it started, in ticks (100 ns), or -1.</summary>
    public long RunQueueWaitTicks()
    {
        Span<byte> buffer = stackalloc byte[96];
        int read;
        try
        {
            read = RandomAccess.Read(_handle, buffer, 0);
        }
        catch (IOException)
        {
            return -1;
        }

        // "<on-cpu ns> <run-queue wait ns> <timeslices>\n"
        var text = buffer[..read];
        var first = text.IndexOf((byte)' ');
        if (first < 0)
        {
            return -1;
        }

        var rest = text[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second < 0)
        {
            return -1;
        }

        long ns = 0;
        foreach (var c in rest[..second])
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }

            ns = (ns * 10) + (c - '0');
        }

        return ns / 100;
    }

    /// <summary>
    /// Returns whether the thread is running or ready to run (state <c>R</c>) rather than sleeping or waiting for a
    /// device; null when unknown. A ready thread's current run-queue wait is not yet in <see cref="RunQueueWaitTicks"/>
    /// (the kernel adds a wait when it ends), so this tells a preempted thread from a blocked one.
    /// </summary>
    public bool? IsRunnable()
    {
        try
        {
            _stat ??= File.OpenHandle($"/proc/self/task/{ThreadId}/stat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> buffer = stackalloc byte[512];
            var read = RandomAccess.Read(_stat, buffer, 0);

            // "tid (comm) S ...": the name may hold spaces and parentheses, so the state follows the last ')'.
            var text = buffer[..read];
            var close = text.LastIndexOf((byte)')');
            return close >= 0 && close + 2 < read ? text[close + 2] == (byte)'R' : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Returns what the thread is doing now: running or ready to run, blocked in a wait of its own, or held in the kernel's
    /// memory management or the runtime's back-off (<see cref="ThreadWait"/>), read from <c>/proc/self/task/TID/stat</c> and,
    /// for a thread that is not runnable, <c>/proc/self/task/TID/syscall</c>. A thread whose system call cannot be read is
    /// <see cref="ThreadWait.Blocked"/>, as every blocked thread was before the distinction.
    /// </summary>
    public ThreadWait Wait()
    {
        var runnable = IsRunnable();
        if (runnable is null)
        {
            return ThreadWait.Unknown;
        }

        if (runnable == true)
        {
            return ThreadWait.Runnable;
        }

        try
        {
            _syscall ??= File.OpenHandle($"/proc/self/task/{ThreadId}/syscall", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> buffer = stackalloc byte[32];
            var read = RandomAccess.Read(_syscall, buffer, 0);
            return WaitIn(buffer[..read], RuntimeInformation.ProcessArchitecture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ThreadWait.Blocked;
        }
    }

    /// <summary>
    /// Reads the first field of <c>/proc/PID/task/TID/syscall</c>: <c>running</c> (the thread woke meanwhile), <c>-1</c> (blocked
    /// outside any system call: a page fault), or the number of the system call it is blocked in.
    /// </summary>
    /// <param name="text">The file's start.</param>
    /// <param name="architecture">The process's architecture, which numbers the system calls.</param>
    internal static ThreadWait WaitIn(ReadOnlySpan<byte> text, Architecture architecture)
    {
        var end = text.IndexOfAny((byte)' ', (byte)'\n');
        var first = end < 0 ? text : text[..end];
        if (first.SequenceEqual("running"u8))
        {
            return ThreadWait.Runnable;
        }

        if (first.SequenceEqual("-1"u8))
        {
            return ThreadWait.Held;
        }

        if (first.IsEmpty)
        {
            return ThreadWait.Blocked;
        }

        long number = 0;

        foreach (var c in first)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return ThreadWait.Blocked;
            }

            number = (number * 10) + (c - '0');
        }

        return HeldIn(number, architecture) ? ThreadWait.Held : ThreadWait.Blocked;
    }

    // The memory system calls (mmap, mprotect, munmap, brk, mremap, madvise) and the sleeps (nanosleep, clock_nanosleep), by
    // architecture; elsewhere none is told apart.
    private static bool HeldIn(long number, Architecture architecture) => architecture switch
    {
        Architecture.X64 => number is 9 or 10 or 11 or 12 or 25 or 28 or 35 or 230,
        Architecture.Arm64 => number is 222 or 226 or 215 or 214 or 216 or 233 or 101 or 115,
        _ => false,
    };

    /// <summary>Returns the CPU time of thread <paramref name="threadId"/> of this process in ticks (100 ns), read from any thread, or -1.</summary>
    public static long CpuTicksOf(int threadId)
    {
        if (_unavailable || threadId <= 0)
        {
            return -1;
        }

        // Linux encodes a thread's CPU clock as MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED): (~tid << 3) | 4 | 2.
        var clock = (~threadId << 3) | 6;
        try
        {
            return clock_gettime(clock, out var ts) == 0 ? (ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100) : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _handle.Dispose();
        _stat?.Dispose();
        _syscall?.Dispose();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clockId, out Timespec value);
}
