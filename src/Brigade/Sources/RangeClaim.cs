namespace Brigade.Sources;

/// <summary>Lock-free claiming of index ranges over a source whose length is known.</summary>
internal struct RangeClaim
{
    private long _next;

    public long Taken(long length) => Math.Min(Volatile.Read(ref _next), length);

    /// <summary>Claims up to <paramref name="maxCount"/> indexes; returns the count claimed (0 when exhausted).</summary>
    public int Claim(long length, int maxCount, out long start)
    {
        // Over-claiming past the end is harmless: whoever overshoots just gets fewer (or no) items.
        start = Interlocked.Add(ref _next, maxCount) - maxCount;
        if (start >= length)
        {
            return 0;
        }

        return (int)Math.Min(maxCount, length - start);
    }
}
