namespace Brigade.Cli.Run;

/// <summary>What a journal says is already done: delivered items, output lengths, and results not yet delivered.</summary>
internal sealed class ResumeState
{
    private readonly HashSet<long> _deliveredSet = [];

    /// <summary>Gets, for ordered output, the index before which every item is in the output files.</summary>
    public long UpTo { get; private set; }

    public long OutputLength { get; private set; }

    public long FailuresLength { get; private set; }

    /// <summary>Gets what the interrupted run had read of its input at its last watermark, when the journal says.</summary>
    public (long Bytes, long Items, string Hash)? InputRead { get; private set; }

    /// <summary>Gets results that finished but were not yet delivered, by index.</summary>
    public SortedDictionary<long, JournalRecord> Pending { get; } = [];

    public long DeliveredCount => UpTo + _deliveredSet.Count;

    /// <summary>Gets, for a finished run's record, how many of its items failed; null for an unfinished run's journal.</summary>
    public long? Completed { get; private set; }

    /// <summary>
    /// Gets how many of the delivered items failed, as the last watermark says (<c>nf</c>); null for a journal written
    /// before run59, whose watermarks do not say.
    /// </summary>
    public long? DeliveredFailed { get; private set; }

    /// <summary>
    /// Gets the reasons of the delivered failures the journal holds: an ordered run journals each failure (<c>r</c>, with
    /// its error) before it is delivered; an unordered one does not, nor a failure whose output was over
    /// <see cref="RunOutputs.MaxJournaledOutput"/>.
    /// </summary>
    public FailureReasons DeliveredFailureReasons { get; } = new();

    public bool IsDelivered(long index) => index < UpTo || _deliveredSet.Contains(index);

    public void Apply(JournalRecord record)
    {
        switch (record.Kind)
        {
            case "r" when record.Index is { } i:
                Pending[i] = record;
                break;
            case "w" when record.UpTo is { } upTo:
                TakeInputRead(record);
                UpTo = Math.Max(UpTo, upTo);
                OutputLength = record.OutputLength ?? OutputLength;
                FailuresLength = record.FailuresLength ?? FailuresLength;
                DeliveredFailed = record.FailedCount ?? DeliveredFailed;
                foreach (var done in Pending.Keys.Where(k => k < UpTo).ToList())
                {
                    if (Pending[done].Error is { } error)
                    {
                        DeliveredFailureReasons.Add(error);
                    }

                    Pending.Remove(done);
                }

                break;
            case "c":
                Completed = record.FailedCount ?? 0;
                DeliveredFailed = Completed;
                break;
            case "u" when record.Delivered is { } ids:
                TakeInputRead(record);
                foreach (var id in ids)
                {
                    _deliveredSet.Add(id);
                    Pending.Remove(id);
                }

                OutputLength = record.OutputLength ?? OutputLength;
                FailuresLength = record.FailuresLength ?? FailuresLength;
                DeliveredFailed = record.FailedCount ?? DeliveredFailed;
                break;
        }
    }

    /// <summary>
    /// Forgets results of items read after the last watermark: that part of the input was not fingerprinted, so a
    /// resume runs those items again rather than trust results for input it cannot check.
    /// </summary>
    public void DropUnverifiedResults()
    {
        var verified = InputRead?.Items ?? 0;
        foreach (var index in Pending.Keys.Where(k => k >= verified).ToList())
        {
            Pending.Remove(index);
        }
    }

    private void TakeInputRead(JournalRecord record)
    {
        if (record is { InputBytes: { } bytes, InputItems: { } items, InputHash: { } hash })
        {
            InputRead = (bytes, items, hash);
        }
    }
}
