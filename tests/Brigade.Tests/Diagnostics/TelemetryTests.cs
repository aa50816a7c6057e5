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
        var durations = new ConcurrentQueue<(double Seconds, string? ErrorType)>();
        var engineTags = new ConcurrentDictionary<string, byte>();
        IReadOnlyList<double>? durationBuckets = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BrigadeTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                    if (instrument is Histogram<double> { Name: BrigadeTelemetry.RunDuration } histogram)
                    {
                        durationBuckets = histogram.Advice?.HistogramBucketBoundaries;
                    }
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var name = instrument.Name;
            foreach (var tag in tags)
            {
                if (tag.Key == BrigadeTelemetry.EngineTag)
                {
                    engineTags[(string)tag.Value!] = 0;
                }
                else if (tag.Key == BrigadeTelemetry.OutcomeTag)
                {
                    name += "/" + tag.Value;
                }
            }

            sums.AddOrUpdate(name, value, (_, sum) => sum + value);
            if (instrument.Name == BrigadeTelemetry.ActiveRuns)
            {
                activeRunChanges.Enqueue(value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == BrigadeTelemetry.RunDuration)
            {
                string? errorType = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == BrigadeTelemetry.ErrorTypeTag)
                    {
                        errorType = (string?)tag.Value;
                    }
                }

                durations.Enqueue((value, errorType));
            }
        });
        listener.Start();

        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), x => Failing.Contains(x) ? throw new InvalidOperationException() : x,
            new RunOptions { Engine = Engine.Sequential, BatchSize = 10 }).Bounded();

        var report = result.Report;
        Assert.Equal(97, report.Succeeded);
        Assert.Equal(report.Succeeded, sums[$"{BrigadeTelemetry.ItemsProcessed}/{BrigadeTelemetry.OutcomeSuccess}"]);
        Assert.Equal(report.Failed, sums[$"{BrigadeTelemetry.ItemsProcessed}/{BrigadeTelemetry.OutcomeFailure}"]);
        Assert.Equal(10, report.Batches);
        Assert.Equal(report.Batches, sums[BrigadeTelemetry.Batches]);
        Assert.Equal([1L, -1L], activeRunChanges);
        var duration = Assert.Single(durations);
        Assert.Equal(report.WallTime.TotalSeconds, duration.Seconds, 9);
        Assert.Equal(typeof(InvalidOperationException).FullName, duration.ErrorType);
        Assert.Equal(["sequential"], engineTags.Keys);

        // Second-scale buckets: a 3 s run and a 2 min run land in different buckets, not all in an exporter's (0, 5].
        Assert.NotNull(durationBuckets);
        Assert.Contains(1.0, durationBuckets);
        Assert.Contains(durationBuckets, b => b > 2 && b < 5);
        Assert.Contains(durationBuckets, b => b >= 60 && b < 300);
        Assert.True(durationBuckets.Max() >= 3600);
    }

    [Fact]
    public async Task ActivitySource_RunWithFailedItems_EndsWithStatusErrorAndErrorType_ASuccessfulRunDoesNot()
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

        var failing = await Runner.MapAsync(Enumerable.Range(0, 20).ToArray(), x => Failing.Contains(x) ? throw new FormatException("bad item") : x,
            new RunOptions { Engine = Engine.ThreadPool, Label = prefix + "failing" }).Bounded();
        Assert.Equal(1, failing.Report.Failed);
        await Runner.MapAsync(Enumerable.Range(0, 20).ToArray(), x => x, new RunOptions { Engine = Engine.ThreadPool, Label = prefix + "fine" }).Bounded();

        var byLabel = stopped.ToDictionary(a => ((string)a.GetTagItem("brigade.label")!)[prefix.Length..]);
        var failed = byLabel["failing"];
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("1 of 20 items failed", failed.StatusDescription);
        Assert.Equal(typeof(FormatException).FullName, failed.GetTagItem(BrigadeTelemetry.ErrorTypeTag));
        Assert.Equal(1L, failed.GetTagItem("brigade.failed"));

        var fine = byLabel["fine"];
        Assert.Equal(ActivityStatusCode.Unset, fine.Status);
        Assert.Null(fine.GetTagItem(BrigadeTelemetry.ErrorTypeTag));
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

        var cancelled = Assert.Single(byLabel["cancelled"]);
        Assert.Equal(ActivityStatusCode.Error, cancelled.Status);
        Assert.Equal(typeof(OperationCanceledException).FullName, cancelled.GetTagItem(BrigadeTelemetry.ErrorTypeTag));
    }
}
