using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Brigade.Diagnostics;

/// <summary>The process-wide meter and activity source behind <see cref="BrigadeTelemetry"/>.</summary>
internal static class Telemetry
{
    // A constant written by the build (Brigade.csproj, BrigadeGenerateBuildInfo): the informational version attribute's text,
    // without reading the attribute back by reflection on every process's first run.
    private const string Version = BuildInfo.InformationalVersion;

    public static readonly Meter Meter = new(BrigadeTelemetry.MeterName, Version);
    public static readonly ActivitySource Source = new(BrigadeTelemetry.ActivitySourceName, Version);

    // Runs last from milliseconds (a small in-process map) to hours (a batch job): an exporter's default buckets
    // (0, 5, 10, 25, ... 10000, meant for milliseconds) would put nearly every run, in seconds, in the first bucket.
    public static readonly IReadOnlyList<double> RunDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    public static readonly Counter<long> ItemsProcessed = Meter.CreateCounter<long>(BrigadeTelemetry.ItemsProcessed, "{item}", "Items processed, by outcome.");
    public static readonly Counter<long> Batches = Meter.CreateCounter<long>(BrigadeTelemetry.Batches, "{batch}", "Batches run.");
    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        BrigadeTelemetry.RunDuration, "s", "Wall time of runs.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = RunDurationBuckets });
    public static readonly UpDownCounter<long> ActiveRuns = Meter.CreateUpDownCounter<long>(BrigadeTelemetry.ActiveRuns, "{run}", "Runs in progress.");

    // Pitfall detection (Brigade.Synchronization, the thread-pool monitor).
    public static readonly Counter<long> Pitfalls = Meter.CreateCounter<long>(PitfallTelemetry.PitfallsDetected, "{report}", "Concurrency pitfalls detected.");
    public static readonly Counter<long> LockContentions = Meter.CreateCounter<long>(PitfallTelemetry.LockContentions, "{wait}", "Acquisitions of Brigade synchronization primitives that had to wait.");
    public static readonly Histogram<double> LockWaitDuration = Meter.CreateHistogram<double>(PitfallTelemetry.LockWaitDuration, "s", "How long acquisitions that had to wait waited.");
}
