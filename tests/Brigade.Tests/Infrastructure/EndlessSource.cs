using System.Runtime.CompilerServices;

namespace Brigade.Tests.Infrastructure;

/// <summary>
/// An endless asynchronous input that measures how far the producer ever gets ahead of the work: the number of
/// items produced but not yet completed, sampled each time an item is produced.
/// </summary>
internal sealed class EndlessSource
{
    private long _produced;
    private long _completed;
    private long _maxAhead;

    public long Produced => Volatile.Read(ref _produced);

    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Gets the most items ever produced and not yet completed at once.</summary>
    public long MaxAhead => Volatile.Read(ref _maxAhead);

    /// <summary>Work calls this when it has finished an item.</summary>
    /// <returns>How many items have completed.</returns>
    public long Complete() => Interlocked.Increment(ref _completed);

    public async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            var ahead = Interlocked.Increment(ref _produced) - Volatile.Read(ref _completed);
            long max;
            while (ahead > (max = Volatile.Read(ref _maxAhead)) && Interlocked.CompareExchange(ref _maxAhead, ahead, max) != max)
            {
            }

            // Mostly synchronous, like a buffered reader; sometimes a real wait, like the next page of a feed.
            if (i % 5 == 4)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }
}
