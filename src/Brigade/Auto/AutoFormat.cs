using System.Globalization;

namespace Brigade.Auto;

/// <summary>Numbers as people read them in a plan's one-line explanation.</summary>
internal static class AutoFormat
{
    public static string Duration(TimeSpan t)
    {
        var ns = t.TotalNanoseconds;
        return ns switch
        {
            < 1_000 => Invariant($"{ns:0} ns"),
            < 10_000 => Invariant($"{ns / 1_000:0.0} µs"),
            < 1_000_000 => Invariant($"{ns / 1_000:0} µs"),
            < 10_000_000 => Invariant($"{ns / 1_000_000:0.0} ms"),
            < 1_000_000_000 => Invariant($"{ns / 1_000_000:0} ms"),
            _ => Invariant($"{ns / 1_000_000_000:0.00} s"),
        };
    }

    /// <summary>A time per item, keeping the fraction below 10 ns (tiny items take a nanosecond or two).</summary>
    public static string Nanoseconds(double ns) => ns switch
    {
        < 10 => Invariant($"{ns:0.0} ns"),
        < 1_000 => Invariant($"{ns:0} ns"),
        _ => Duration(TimeSpan.FromTicks((long)(ns / 100))),
    };

    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 => Invariant($"{bytes:0} B"),
        < 1024 * 1024 => Invariant($"{bytes / 1024:0.#} KB"),
        _ => Invariant($"{bytes / (1024 * 1024):0.#} MB"),
    };

    public static string Ratio(double value) => Invariant($"{value:0.00}");

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string ClassName(WorkloadClass c) => c switch
    {
        WorkloadClass.Tiny => "tiny",
        WorkloadClass.CpuBound => "CPU-bound",
        WorkloadClass.Blocking => "blocking I/O",
        WorkloadClass.AsyncIo => "async I/O",
        WorkloadClass.Mixed => "mixed CPU and blocking",
        WorkloadClass.Serialized => "serialized by a lock",
        _ => "unknown",
    };

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
