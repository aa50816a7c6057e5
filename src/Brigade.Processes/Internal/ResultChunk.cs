namespace Brigade.Processes.Internal;

/// <summary>One Results frame, decoded: which items of the batch it covers and what the worker measured.</summary>
internal readonly record struct ResultChunk(int Offset, int Count, bool Final, TimeSpan Elapsed, TimeSpan? CpuTime, long WorkingSet)
{
    /// <summary>Gets how long the worker's thread waited for a core during <see cref="Elapsed"/>, or <see langword="null"/>
    /// when the worker did not measure it (not Linux, asynchronous work).</summary>
    public TimeSpan? RunQueueWait { get; init; }
}
