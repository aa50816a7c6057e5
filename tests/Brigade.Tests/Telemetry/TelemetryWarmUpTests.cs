using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Brigade.Diagnostics;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Telemetry;

/// <summary>
/// The meter and activity source made ahead of the first run on a thread-pool thread (<see cref="TelemetryWarmUp"/>, the
/// process engine's first pool) lose nothing: listeners attached after it, or while it runs, see every run's span and
/// counts.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class TelemetryWarmUpTests
{
    [Fact(Timeout = 30_000)]
    public async Task ListenersAttachedAroundTheWarmUp_SeeTheRunsSpanAndCounts()
    {
        TelemetryWarmUp.Start();
        var label = "warm-up " + Guid.NewGuid().ToString("N");
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrigadeTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem("brigade.label"), label))
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);

        var processed = 0L;
        var instruments = new ConcurrentDictionary<string, byte>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BrigadeTelemetry.MeterName)
                {
                    instruments[instrument.Name] = 0;
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == BrigadeTelemetry.ItemsProcessed)
            {
                Interlocked.Add(ref processed, value);
            }
        });
        meters.Start();

        // A second start is a no-op, not a second set of objects.
        TelemetryWarmUp.Start();
        var result = await Runner.MapAsync(Enumerable.Range(0, 40).ToArray(), x => x + 1, new RunOptions { Engine = Engine.Sequential, Label = label });

        Assert.Equal(40, result.Values.Count);
        var span = Assert.Single(spans);
        Assert.Equal(BrigadeTelemetry.RunActivity, span.OperationName);
        Assert.Equal(40L, Convert.ToInt64(span.GetTagItem("brigade.items"), CultureInfo.InvariantCulture));
        Assert.Equal(40L, Interlocked.Read(ref processed));
        Assert.Contains(BrigadeTelemetry.RunDuration, instruments.Keys);
        Assert.Contains(BrigadeTelemetry.ActiveRuns, instruments.Keys);
    }
}
