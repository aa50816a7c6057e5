using System.Globalization;

namespace Brigade.Auto;

/// <summary>Numbers as people read them in a plan's one-line explanation.</summary>
/// <remarks>Formatted with <c>string.Create(CultureInfo.InvariantCulture, $"…")</c>, not a <see cref="FormattableString"/>: no
/// boxing nor composite-format parsing. Every run's plan line is built from these, and a tiny job's whole run is ~150 µs.</remarks>
internal static class AutoFormat
{
    public static string Duration(TimeSpan t)
    {
        var ns = t.TotalNanoseconds;
        return ns switch
        {
            < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{ns:0} ns"),
            < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:0.0} µs"),
            < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:0} µs"),
            < 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:0.0} ms"),
            < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:0} ms"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000_000:0.00} s"),
        };
    }

    /// <summary>A time per item, keeping the fraction below 10 ns (tiny items take a nanosecond or two).</summary>
    public static string Nanoseconds(double ns) => ns switch
    {
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{ns:0.0} ns"),
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{ns:0} ns"),
        _ => Duration(TimeSpan.FromTicks((long)(ns / 100))),
    };

    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024 * 1024):0.#} GB"),
    };

    public static string Ratio(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.00}");

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
}
