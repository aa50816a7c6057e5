namespace Brigade.Engines.Remote;

/// <summary>
/// Consecutive items of a batch, as a <see cref="RemoteItemExecutor"/> hands them to its <see cref="IRemoteResultWriter"/>:
/// each item's status, the failures in item order, and the succeeded items' results in the kit's value encoding.
/// Valid only during <see cref="IRemoteResultWriter.WriteChunk"/>.
/// </summary>
internal readonly ref struct RemoteResultChunk
{
    public RemoteResultChunk(int offset, int count, bool final, ReadOnlySpan<byte> statuses, IReadOnlyList<RemoteItemFailure> failures, ReadOnlySpan<byte> values, ReadOnlySpan<RemoteValueReference> valueReferences, long valueBytes, long elapsedTicks, long cpuTicks, long runQueueTicks, bool reportsAttempts)
    {
        Offset = offset;
        Count = count;
        Final = final;
        Statuses = statuses;
        Failures = failures;
        Values = values;
        ValueReferences = valueReferences;
        ValueBytes = valueBytes;
        ElapsedTicks = elapsedTicks;
        CpuTicks = cpuTicks;
        RunQueueTicks = runQueueTicks;
        ReportsAttempts = reportsAttempts;
    }

    /// <summary>Gets the offset, within the batch, of the chunk's first item.</summary>
    public int Offset { get; }

    /// <summary>Gets how many items the chunk holds.</summary>
    public int Count { get; }

    /// <summary>Gets whether the batch is over: finished, or stopped by its token (the items after this chunk did not run).</summary>
    public bool Final { get; }

    /// <summary>Gets each item's status: <see cref="RemoteItemExecutor.Succeeded"/> or <see cref="RemoteItemExecutor.Failed"/>.</summary>
    public ReadOnlySpan<byte> Statuses { get; }

    /// <summary>Gets the failed items, in order, with their offsets within the batch.</summary>
    public IReadOnlyList<RemoteItemFailure> Failures { get; }

    /// <summary>Gets the results of the items that succeeded, in order (<see cref="RemoteValueCodec{T}"/>).</summary>
    public ReadOnlySpan<byte> Values { get; }

    /// <summary>Gets the large values' bytes that <see cref="Values"/> refers to rather than holds, each to be sent after
    /// <see cref="Values"/>' first <see cref="RemoteValueReference.At"/> bytes; empty unless the transport asked for them
    /// (<see cref="RemoteItemExecutor.ReferencesLargeValues"/>).</summary>
    public ReadOnlySpan<RemoteValueReference> ValueReferences { get; }

    /// <summary>Gets the length of the results' encoding: <see cref="Values"/> and <see cref="ValueReferences"/>' bytes.</summary>
    public long ValueBytes { get; }

    /// <summary>Gets how many succeeded: <see cref="Count"/> less the failures.</summary>
    public int SucceededCount => Count - Failures.Count;

    /// <summary>Gets the wall-clock time the chunk took, in <see cref="TimeSpan"/> ticks.</summary>
    public long ElapsedTicks { get; }

    /// <summary>Gets the CPU time the chunk used, in <see cref="TimeSpan"/> ticks, or -1 when it could not be measured.</summary>
    public long CpuTicks { get; }

    /// <summary>Gets how long the thread that ran the chunk waited in the run queue for a core meanwhile (Linux,
    /// <c>/proc/self/task/TID/schedstat</c>), in <see cref="TimeSpan"/> ticks, or -1 when it was not measured: on other
    /// systems, for asynchronous work (its items run on whatever threads their continuations find), and where the transport
    /// asks for the thread's CPU clock (<see cref="RemoteCpuClock.Thread"/>: a silo, which sends no such figure).</summary>
    /// <remarks>Part of <see cref="ElapsedTicks"/>: on a busy machine a CPU-bound item's wall holds its waits for a core,
    /// which are neither its work nor waits of its own (review 65: worker processes' CPU-bound work read "mixed", cpu/wall
    /// 0.37-0.45 at load 8-16 on 2 cores).</remarks>
    public long RunQueueTicks { get; }

    /// <summary>Gets whether the batch runs under a retry policy, so each failure's <see cref="RemoteItemFailure.Attempts"/> is worth sending.</summary>
    public bool ReportsAttempts { get; }
}
