namespace Brigade.Auto;

/// <summary>
/// Lets work tell auto mode about CPU time it caused outside the thread that ran it, such as in a child process it
/// started and waited for, so that the work is measured as CPU-bound rather than as waiting.
/// </summary>
/// <remarks>
/// Auto mode measures CPU time on the thread that runs an item. Work that runs a command and waits for it shows
/// almost none, and would be planned as blocking I/O and widened past the core count. Reporting the child's CPU
/// time (for instance from <c>getrusage(RUSAGE_CHILDREN)</c> or the child's <c>/proc/PID/stat</c>) corrects that.
/// Calls outside an auto-mode run do nothing.
/// </remarks>
/// <example>
/// <code>
/// await Runner.ForEachAsync(files, async (file, ct) =&gt;
/// {
///     var cpu = await RunCommandAsync("gzip", file, ct);   // returns the child's user + system time
///     ExternalCpuTime.Add(cpu);
/// });
/// </code>
/// </example>
public static class ExternalCpuTime
{
    private static readonly AsyncLocal<CpuAccount?> Current = new();

    /// <summary>Adds CPU time used on behalf of the current item outside its thread.</summary>
    /// <param name="cpuTime">The CPU time; negative values are ignored.</param>
    public static void Add(TimeSpan cpuTime)
    {
        if (cpuTime > TimeSpan.Zero)
        {
            Current.Value?.Add(cpuTime.Ticks);
        }
    }

    internal static void Attach(CpuAccount account) => Current.Value = account;

    /// <summary>A worker's running total of externally reported CPU time.</summary>
    internal sealed class CpuAccount
    {
        private long _ticks;

        public long Ticks => Volatile.Read(ref _ticks);

        public void Add(long ticks) => Interlocked.Add(ref _ticks, ticks);
    }
}
