namespace Brigade.Auto;

/// <summary>
/// Something that uses CPU time on behalf of an item while the item waits for it, such as a child process: auto mode
/// reads it while the item still runs (<see cref="ExternalCpuTime.BeginRunning"/>).
/// </summary>
/// <remarks>Read from auto mode's controller thread, a few times per item at most, while the item runs: an implementation
/// must be thread-safe and cheap (a read of <c>/proc/PID/stat</c>, not a wait).</remarks>
public interface IExternalCpuSource
{
    /// <summary>Reads the CPU time used so far (user and system, the source's own and that of children it waited for).</summary>
    /// <returns>The CPU time, or null when it cannot be read (the process is gone, or the platform does not say).</returns>
    TimeSpan? ReadCpuTime();
}
