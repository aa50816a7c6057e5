namespace Brigade.Processes.Internal;

/// <summary>Arithmetic on <see cref="TimeSpan"/> that saturates instead of throwing <see cref="OverflowException"/>.</summary>
internal static class TimeSpans
{
    /// <summary>Adds two spans; a sum beyond <see cref="TimeSpan.MaxValue"/> (or below <see cref="TimeSpan.MinValue"/>) is that bound.</summary>
    /// <param name="a">The first span.</param>
    /// <param name="b">The second span.</param>
    /// <returns><paramref name="a"/> + <paramref name="b"/>, clamped to the range of <see cref="TimeSpan"/>.</returns>
    public static TimeSpan SaturatingAdd(TimeSpan a, TimeSpan b)
    {
        if (b > TimeSpan.Zero && a > TimeSpan.MaxValue - b)
        {
            return TimeSpan.MaxValue;
        }

        if (b < TimeSpan.Zero && a < TimeSpan.MinValue - b)
        {
            return TimeSpan.MinValue;
        }

        return a + b;
    }
}
