namespace Brigade.Auto;

/// <summary>
/// Something that uses CPU time on behalf of an item while the item waits for it, such as a child process: auto mode
/// reads it while the item still runs (<see cref="ExternalCpuTime.BeginRunning"/>).
/// </summary>
/// <remarks>Read from auto mode's controller thread, a few times per item at most, while the item runs: an implementation
/// must be thread-safe and cheap (a read of <c>/proc/PID/stat</c>, not a wait).</remarks>
public interface IExternalCpuSource
{
    /// <summary>Reads the CPU time used so far and, where known, the time spent ready to run but waiting for a core.</summary>
    /// <param name="cpuTime">The CPU time used so far: user and system, the source's own and that of children it waited for.</param>
    /// <param name="runQueueWait">The time spent so far waiting for a core (a busy machine): not a wait of the source's
    /// own, so a computing child on a busy machine does not read as waiting; <see cref="TimeSpan.Zero"/> when not known.</param>
    /// <returns>False when the source cannot be read (the process is gone, or the platform does not say).</returns>
    bool TryRead(out TimeSpan cpuTime, out TimeSpan runQueueWait);
}
