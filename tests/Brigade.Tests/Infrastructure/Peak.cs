namespace Brigade.Tests.Infrastructure;

/// <summary>The most of something seen at once (items running, calls in progress), raised from any thread.</summary>
internal static class Peak
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> when that is more, atomically.</summary>
    public static void Raise(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
