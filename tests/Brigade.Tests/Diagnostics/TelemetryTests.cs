using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Brigade.Diagnostics;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Diagnostics;

/// <summary>What OpenTelemetry users see: the <c>Brigade</c> meter's counters and one <c>brigade.run</c> span per run.</summary>
/// <remarks>Serial: the meter is process-wide, so no other run may add to the counts while a test reads them.</remarks>
[Collection(SerialCollection.Name)]
public sealed class TelemetryTests
{
    private static readonly int[] Failing = [3, 42, 77];

    [Fact]
    public async Task Meter_Run_CountersMatchTheReport()
    {
        var sums = new ConcurrentDictionary<string, long>();
        var activeRunChanges = new ConcurrentQueue<long>();
        var durations = new ConcurrentQueue<double>();
        var engineTags = new ConcurrentDictionary<string, byte>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BrigadeTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            if (instrument.Name == BrigadeTelemetry.ActiveRuns)
            {
                activeRunChanges.Enqueue(value);
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "brigade.engine")
                {
                    engineTags[(string)tag.Value!] = 0;
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == BrigadeTelemetry.RunDuration)
            {
                durations.Enqueue(value);
            }
        });
        listener.Start();

        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), x => Failing.Contains(x) ? throw new InvalidOperationException() : x,
            new RunOptions { Engine = Engine.Sequential, BatchSize = 10 }).Bounded();

        var report = result.Report;
        Assert.Equal(97, report.Succeeded);
        Assert.Equal(report.Succeeded, sums[BrigadeTelemetry.ItemsSucceeded]);
        Assert.Equal(report.Failed, sums[BrigadeTelemetry.ItemsFailed]);
        Assert.Equal(10, report.Batches);
        Assert.Equal(report.Batches, sums[BrigadeTelemetry.Batches]);
        Assert.Equal([1L, -1L], activeRunChanges);
        Assert.Equal(report.WallTime.TotalSeconds, Assert.Single(durations), 9);
        Assert.Equal(["sequential"], engineTags.Keys);
    }

    [Fact]
    public async Task ActivitySource_EveryKindOfRun_OneRunActivityTaggedWithEngine()
    {
        var prefix = $"telemetry-{Guid.NewGuid():N}-";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrigadeTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("brigade.label") is string label && label.StartsWith(prefix, StringComparison.Ordinal))
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var items = Enumerable.Range(0, 10).ToArray();
        RunOptions Options(Engine engine, string name) => new() { Engine = engine, Label = prefix + name };

        await Runner.MapAsync(items, x => x, Options(Engine.Sequential, "map")).Bounded();
        await Runner.ForEachAsync(items, _ => { }, Options(Engine.Threads, "foreach")).Bounded();
        await Runner.MapReduceAsync(items, x => x, (a, b) => a + b, Options(Engine.ThreadPool, "reduce")).Bounded();
        await foreach (var _ in Runner.StreamAsync(items, x => x, Options(Engine.Async, "stream")))
        {
        }

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner.MapAsync(items, x => x, Options(Engine.Sequential, "cancelled"), cts.Token).Bounded());

        var byLabel = stopped.GroupBy(a => ((string)a.GetTagItem("brigade.label")!)[prefix.Length..]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(["cancelled", "foreach", "map", "reduce", "stream"], byLabel.Keys.Order());
        foreach (var (name, engine) in new[] { ("map", "sequential"), ("foreach", "threads"), ("reduce", "threadpool"), ("stream", "async") })
        {
            var activity = Assert.Single(byLabel[name]);
            Assert.Equal(BrigadeTelemetry.RunActivity, activity.OperationName);
            Assert.Equal(engine, activity.GetTagItem("brigade.engine"));
            Assert.Equal(10L, activity.GetTagItem("brigade.items"));
            Assert.Equal(ActivityStatusCode.Unset, activity.Status);
        }

        Assert.Equal(ActivityStatusCode.Error, Assert.Single(byLabel["cancelled"]).Status);
    }
}
