namespace Brigade.Diagnostics;

/// <summary>Vector clocks as <see cref="int"/> arrays indexed by flow slot; missing entries are 0.</summary>
internal static class VectorClock
{
    /// <summary>Joins <paramref name="other"/> into <paramref name="into"/> (entry-wise maximum), growing it if needed.</summary>
    /// <returns>The joined clock: <paramref name="into"/> itself, or a larger copy.</returns>
    public static int[] JoinInto(int[] into, int[] other)
    {
        if (other.Length > into.Length)
        {
            Array.Resize(ref into, other.Length);
        }

        for (var i = 0; i < other.Length; i++)
        {
            if (other[i] > into[i])
            {
                into[i] = other[i];
            }
        }

        return into;
    }

    public static int[] Joined(int[] a, int[] b) => JoinInto((int[])a.Clone(), b);
}
