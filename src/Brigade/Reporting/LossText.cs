using System.Globalization;

namespace Brigade.Reporting;

/// <summary>Words and numbers for <see cref="RunLosses"/>' explanation.</summary>
internal static class LossText
{
    public static string Name(LossCause cause) => cause switch
    {
        LossCause.StartUp => "start-up",
        LossCause.Imbalance => "imbalance",
        LossCause.Overhead => "overhead",
        LossCause.WaitingForCore => "waiting for a core",
        LossCause.GcPauses => "GC pauses",
        LossCause.LockContention => "lock contention",
        LossCause.Blocking => "blocking",
        LossCause.WidthChange => "width change",
        LossCause.InputEnd => "waiting for the input's end",
        LossCause.SharedResource => "shared resource",
        _ => "unexplained",
    };

    public static string Duration(TimeSpan t)
    {
        var abs = t.Duration();
        return abs.TotalSeconds >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s")
            : abs.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.00} s")
            : abs.TotalMilliseconds >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms")
            : abs.TotalMilliseconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.0} ms")
            : abs.TotalMicroseconds >= 1 || abs == TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMicroseconds:0} µs")
            : SubMicrosecond(t.TotalMicroseconds);
    }

    /// <summary>Returns <paramref name="seconds"/> as <see cref="Duration(TimeSpan)"/> does, finer than a tick where it is under
    /// a microsecond: a time per item (review 70: 332 ms over 2,000,000 items read "0 µs per item", for 0.17 µs).</summary>
    public static string Duration(double seconds) =>
        seconds != 0 && Math.Abs(seconds) < 1e-6 ? SubMicrosecond(seconds * 1e6) : Duration(TimeSpan.FromSeconds(seconds));

    private static string SubMicrosecond(double microseconds) => string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.00} µs");

    /// <summary>Returns "1 worker", "3 workers".</summary>
    public static string Workers(long count) => count == 1 ? "1 worker" : string.Create(CultureInfo.InvariantCulture, $"{count:N0} workers");

    public static string Items(long first, int count) => count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"item {first}")
        : string.Create(CultureInfo.InvariantCulture, $"items {first}–{first + count - 1}");
}
