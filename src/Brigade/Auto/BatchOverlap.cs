namespace Brigade.Auto;

/// <summary>
/// Which of a run's batches ran alone: no other worker of the run was in a batch at any moment of it. Auto mode compares
/// the CPU time per item of such batches with that of batches that ran beside others (<see cref="WorkSample.SoloCpuTicks"/>):
/// work that contends on shared memory (a compare-and-swap retried, a cache line bouncing between cores, a lock that
/// spins) costs more CPU per item the more workers run it, which the CPU ratio cannot show (it stays near 1).
/// </summary>
/// <remarks>Two interlocked operations on one shared line per batch: nothing beside a batch's clock readings.</remarks>
internal sealed class BatchOverlap
{
    private int _inBatch;
    private long _starts;

    /// <summary>A batch starts.</summary>
    /// <returns>The batch's ticket, for <see cref="Leave"/>.</returns>
    public Ticket Enter()
    {
        var seq = Interlocked.Increment(ref _starts);
        var alone = Interlocked.Increment(ref _inBatch) == 1;
        return new Ticket(alone, seq);
    }

    /// <summary>A batch ends.</summary>
    /// <param name="ticket">What <see cref="Enter"/> returned for it.</param>
    /// <returns>Whether it ran alone: nobody else was in a batch when it started, and nobody started one since.</returns>
    public bool Leave(Ticket ticket)
    {
        var alone = ticket.Alone && Volatile.Read(ref _starts) == ticket.Seq;
        Interlocked.Decrement(ref _inBatch);
        return alone;
    }

    /// <summary>A batch's start, as <see cref="Enter"/> saw it.</summary>
    /// <param name="Alone">Whether no other batch was running.</param>
    /// <param name="Seq">The count of batch starts, this one included.</param>
    public readonly record struct Ticket(bool Alone, long Seq);
}
