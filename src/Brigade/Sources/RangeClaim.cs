namespace Brigade.Sources;

/// <summary>Lock-free claiming of index ranges over a source whose length is known.</summary>
internal struct RangeClaim
{
    private long _next;

    // Items of claimed ranges that were never read (the input threw first): not handed out, so not Taken.
    private long _unread;
    private int _closed;

    public long Taken(long length) => Math.Min(Volatile.Read(ref _next), length) - Volatile.Read(ref _unread);

    /// <summary>Claims up to <paramref name="maxCount"/> indexes; returns the count claimed (0 when exhausted or failed).</summary>
    public int Claim(long length, int maxCount, out long start)
    {
        start = 0;
        if (Volatile.Read(ref _closed) != 0)
        {
            return 0;
        }

        // Over-claiming past the end is harmless: whoever overshoots just gets fewer (or no) items.
        start = Interlocked.Add(ref _next, maxCount) - maxCount;
        if (start >= length)
        {
            return 0;
        }

        return (int)Math.Min(maxCount, length - start);
    }

    /// <summary>
    /// Records that the input threw while a claimed range of <paramref name="claimed"/> items was read, after
    /// <paramref name="read"/> of them: the rest are not handed out (they count as not run), and no range is claimed
    /// after this, as a sequence that throws is over.
    /// </summary>
    public void Fail(int claimed, int read)
    {
        Interlocked.Add(ref _unread, claimed - read);
        Volatile.Write(ref _closed, 1);
    }
}
