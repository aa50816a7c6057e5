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
        _ => "unexplained",
    };

    public static string Duration(TimeSpan t)
    {
        var abs = t.Duration();
        return abs.TotalSeconds >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s")
            : abs.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.00} s")
            : abs.TotalMilliseconds >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms")
            : abs.TotalMilliseconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.0} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMicroseconds:0} µs");
    }

    /// <summary>Returns "1 worker", "3 workers".</summary>
    public static string Workers(long count) => count == 1 ? "1 worker" : string.Create(CultureInfo.InvariantCulture, $"{count:N0} workers");

    public static string Items(long first, int count) => count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"item {first}")
        : string.Create(CultureInfo.InvariantCulture, $"items {first}–{first + count - 1}");
}
