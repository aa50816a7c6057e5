using System.Globalization;

namespace Brigade.Auto;

/// <summary>Auto mode's dedicated threads: how many are alive, and how many the machine's memory affords.</summary>
internal static class AutoThreads
{
    /// <summary>The stack a thread reserves when nothing says otherwise: .NET's default for threads it creates on Linux and macOS (1.5 MB).</summary>
    public const long DefaultStackBytes = 1536 * 1024;

    /// <summary>The share of the memory available to the process that auto mode's thread stacks may reserve.</summary>
    public const int MemoryShareDivisor = 8;

#pragma warning disable CA2211 // A counter updated with Interlocked needs to be a field.
    /// <summary>The number of auto-mode dedicated threads alive in the process.</summary>
    public static int Live;
#pragma warning restore CA2211

    /// <summary>
    /// How many more dedicated threads the memory available to the process affords, counting each thread's whole stack
    /// reservation (as if every stack were touched to its end) against an eighth of that memory; the threads auto runs
    /// have already are counted in. At least <paramref name="floor"/>.
    /// </summary>
    public static int Affordable(int floor)
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available <= 0)
        {
            return floor;
        }

        var threads = available / MemoryShareDivisor / StackBytes() - Volatile.Read(ref Live);
        return (int)Math.Clamp(threads, floor, int.MaxValue);
    }

    // DOTNET_DefaultStackSize (hexadecimal bytes) changes every thread's reservation.
    private static long StackBytes()
    {
        var configured = Environment.GetEnvironmentVariable("DOTNET_DefaultStackSize");
        return configured is not null && long.TryParse(configured, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : DefaultStackBytes;
    }
}
