using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Brigade.Diagnostics;

/// <summary>The process-wide meter and activity source behind <see cref="BrigadeTelemetry"/>.</summary>
internal static class Telemetry
{
    private static readonly string? Version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly Meter Meter = new(BrigadeTelemetry.MeterName, Version);
    public static readonly ActivitySource Source = new(BrigadeTelemetry.ActivitySourceName, Version);

    public static readonly Counter<long> ItemsSucceeded = Meter.CreateCounter<long>(BrigadeTelemetry.ItemsSucceeded, "{item}", "Items whose work returned.");
    public static readonly Counter<long> ItemsFailed = Meter.CreateCounter<long>(BrigadeTelemetry.ItemsFailed, "{item}", "Items whose work threw.");
    public static readonly Counter<long> Batches = Meter.CreateCounter<long>(BrigadeTelemetry.Batches, "{batch}", "Batches run.");
    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(BrigadeTelemetry.RunDuration, "s", "Wall time of runs.");
    public static readonly UpDownCounter<long> ActiveRuns = Meter.CreateUpDownCounter<long>(BrigadeTelemetry.ActiveRuns, "{run}", "Runs in progress.");

    // Pitfall detection (Brigade.Synchronization, the thread-pool monitor).
    public static readonly Counter<long> Pitfalls = Meter.CreateCounter<long>(PitfallTelemetry.PitfallsDetected, "{report}", "Concurrency pitfalls detected.");
    public static readonly Counter<long> LockContentions = Meter.CreateCounter<long>(PitfallTelemetry.LockContentions, "{wait}", "Acquisitions of Brigade synchronization primitives that had to wait.");
    public static readonly Histogram<double> LockWaitDuration = Meter.CreateHistogram<double>(PitfallTelemetry.LockWaitDuration, "s", "How long acquisitions that had to wait waited.");
}
