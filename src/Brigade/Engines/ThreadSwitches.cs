using System.Runtime.InteropServices;

namespace Brigade.Engines;

/// <summary>
/// The calling thread's voluntary context switches (<c>getrusage(RUSAGE_THREAD)</c>, 64-bit Linux): the count grows when
/// the thread blocks (waits for an event, a lock, I/O), not when it is preempted, so a take that blocked is told from one
/// that only computed or waited for a core.
/// </summary>
internal static partial class ThreadSwitches
{
    private const int RusageThread = 1;

    // struct rusage on 64-bit Linux: two timevals, then 14 longs; ru_nvcsw is the 13th of those.
    private const int UsageLongs = 18;
    private const int VoluntaryAt = 16;

    private static bool _unavailable = !(OperatingSystem.IsLinux() && Environment.Is64BitProcess);

    /// <summary>Gets the calling thread's voluntary context switches so far, or -1 where they cannot be read.</summary>
    public static long Voluntary()
    {
        if (_unavailable)
        {
            return -1;
        }

        try
        {
            Span<long> usage = stackalloc long[UsageLongs];
            return getrusage(RusageThread, ref MemoryMarshal.GetReference(usage)) == 0 ? usage[VoluntaryAt] : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return -1;
        }
    }

    [LibraryImport("libc")]
    private static partial int getrusage(int who, ref long usage);
}
