namespace Brigade.Auto;

/// <summary>What an <see cref="IExternalCpuSource"/> has used so far, read while it runs.</summary>
/// <param name="CpuTime">The CPU time used so far: user and system, the source's own and that of children it waited for.</param>
/// <param name="RunQueueWait">The time spent so far ready to run but waiting for a core (a busy machine): not a wait of the
/// source's own, so a computing child on a busy machine does not read as waiting; <see cref="TimeSpan.Zero"/> when not known.</param>
/// <param name="Runnable">Whether the source is running or ready to run right now: a wait for a core under way is counted
/// in <paramref name="RunQueueWait"/> only once it ends, so such a reading does not tell waiting from computing and is skipped.</param>
public readonly record struct ExternalCpuReading(TimeSpan CpuTime, TimeSpan RunQueueWait, bool Runnable);
