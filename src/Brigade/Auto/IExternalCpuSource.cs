namespace Brigade.Auto;

/// <summary>
/// Something that uses CPU time on behalf of an item while the item waits for it, such as a child process: auto mode
/// reads it while the item still runs (<see cref="ExternalCpuTime.Track"/>).
/// </summary>
/// <remarks>Read from auto mode's controller thread, at most every 10 ms for as long as the item runs while auto mode samples
/// or checks a plan that items outlast: an implementation must be thread-safe and cheap (a read of <c>/proc/PID/stat</c>,
/// not a wait). An exception thrown by it counts as "cannot be read".</remarks>
public interface IExternalCpuSource
{
    /// <summary>Reads what the source has used so far.</summary>
    /// <param name="reading">The reading, when there is one.</param>
    /// <returns>False when the source cannot be read (the process is gone, or the platform does not say).</returns>
    bool TryRead(out ExternalCpuReading reading);
}
