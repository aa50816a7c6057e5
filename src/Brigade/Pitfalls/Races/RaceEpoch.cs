namespace Brigade.Diagnostics;

/// <summary>An epoch (FastTrack): a slot and a time of that slot, packed in a <see cref="long"/>.</summary>
internal static class RaceEpoch
{
    public const long None = -1;

    public static long Of(int slot, int time) => ((long)slot << 32) | (uint)time;

    public static int Slot(long epoch) => (int)(epoch >> 32);

    public static int Time(long epoch) => (int)(uint)epoch;

    /// <summary>Gets whether the access at <paramref name="epoch"/> is ordered before <paramref name="flow"/>'s present.</summary>
    public static bool HappensBefore(long epoch, RaceFlow flow) => epoch == None || Time(epoch) <= flow.TimeOf(Slot(epoch));
}
