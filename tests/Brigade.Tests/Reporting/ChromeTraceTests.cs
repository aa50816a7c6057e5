using System.Text.Json;
using Brigade.Reporting;
using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Reporting;

/// <summary>The trace is Chrome Trace Event Format JSON; a fake clock makes every timestamp in it exact.</summary>
public sealed class ChromeTraceTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>Two runs on one fake clock: 3 items of 1 ms (item 1 fails), a 10 ms pause, then 2 batches of 2 items of 2 ms.</summary>
    private static async Task<(RunReport First, RunReport Second)> TwoRunsAsync()
    {
        var clock = new FakeTimeProvider(Start);
        var first = await Runner.MapAsync(Enumerable.Range(0, 3).ToArray(), x =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            return x == 1 ? throw new InvalidOperationException() : x;
        }, new RunOptions { Engine = Engine.Sequential, BatchSize = 1, TimeProvider = clock, Label = "first" }).Bounded();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        var second = await Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), x =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(2));
            return x;
        }, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 1, BatchSize = 2, TimeProvider = clock, Label = "second" }).Bounded();
        return (first.Report, second.Report);
    }

    private static List<JsonElement> Events(JsonDocument trace, string phase) =>
        trace.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == phase).ToList();

    [Fact]
    public async Task ToJson_TwoRuns_HasChromeTraceShape()
    {
        var (first, second) = await TwoRunsAsync();

        using var trace = JsonDocument.Parse(ChromeTrace.ToJson([first, second]));

        Assert.Equal(JsonValueKind.Object, trace.RootElement.ValueKind);
        Assert.Equal(JsonValueKind.Array, trace.RootElement.GetProperty("traceEvents").ValueKind);
        Assert.Equal(2, trace.RootElement.GetProperty("otherData").GetProperty("runs").GetInt32());

        // Metadata: a process per run, named after its engine and label; a thread per worker.
        var metadata = Events(trace, "M");
        var processNames = metadata.Where(e => e.GetProperty("name").GetString() == "process_name")
            .ToDictionary(e => e.GetProperty("pid").GetInt32(), e => e.GetProperty("args").GetProperty("name").GetString()!);
        Assert.Equal([1, 2], processNames.Keys.Order());
        Assert.Contains("sequential", processNames[1], StringComparison.Ordinal);
        Assert.Contains("first", processNames[1], StringComparison.Ordinal);
        Assert.Contains("threadpool", processNames[2], StringComparison.Ordinal);
        Assert.Contains("second", processNames[2], StringComparison.Ordinal);
        var threadNames = metadata.Where(e => e.GetProperty("name").GetString() == "thread_name")
            .Select(e => (Pid: e.GetProperty("pid").GetInt32(), Tid: e.GetProperty("tid").GetInt32(), Name: e.GetProperty("args").GetProperty("name").GetString()))
            .ToList();
        Assert.Equal([(1, 0, first.Workers[0].Name), (2, 0, second.Workers[0].Name)], threadNames);

        // One complete event per timeline batch, in microseconds from the earliest run's start.
        var slices = Events(trace, "X");
        Assert.Equal(first.Timeline.Count + second.Timeline.Count, slices.Count);
        Assert.All(slices, e =>
        {
            Assert.Equal(JsonValueKind.Number, e.GetProperty("ts").ValueKind);
            Assert.Equal(JsonValueKind.Number, e.GetProperty("dur").ValueKind);
            Assert.True(e.GetProperty("ts").GetDouble() >= 0);
            Assert.True(e.GetProperty("dur").GetDouble() >= 0);
            Assert.Equal(0, e.GetProperty("tid").GetInt32());
            var args = e.GetProperty("args");
            Assert.Equal(JsonValueKind.Number, args.GetProperty("first").ValueKind);
            Assert.Equal(JsonValueKind.Number, args.GetProperty("count").ValueKind);
            Assert.Equal(JsonValueKind.Number, args.GetProperty("failed").ValueKind);
        });
        var summary = slices.Select(e => (
            Pid: e.GetProperty("pid").GetInt32(),
            Ts: e.GetProperty("ts").GetDouble(),
            Dur: e.GetProperty("dur").GetDouble(),
            First: e.GetProperty("args").GetProperty("first").GetInt64(),
            Count: e.GetProperty("args").GetProperty("count").GetInt32(),
            Failed: e.GetProperty("args").GetProperty("failed").GetInt32())).ToList();
        Assert.Equal(
            [(1, 0d, 1000d, 0L, 1, 0), (1, 1000d, 1000d, 1L, 1, 1), (1, 2000d, 1000d, 2L, 1, 0), (2, 13000d, 4000d, 0L, 2, 0), (2, 17000d, 4000d, 2L, 2, 0)],
            summary);

        // Failed batches are marked red; the others are not marked.
        Assert.Equal(["terrible"], slices.Where(e => e.TryGetProperty("cname", out _)).Select(e => e.GetProperty("cname").GetString()));
        Assert.Equal(1, slices.Single(e => e.TryGetProperty("cname", out _)).GetProperty("args").GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task ToJson_RunsGivenOutOfOrder_PidsFollowStartTime()
    {
        var (first, second) = await TwoRunsAsync();

        using var trace = JsonDocument.Parse(ChromeTrace.ToJson([second, first]));

        var processNames = Events(trace, "M").Where(e => e.GetProperty("name").GetString() == "process_name")
            .ToDictionary(e => e.GetProperty("pid").GetInt32(), e => e.GetProperty("args").GetProperty("name").GetString()!);
        Assert.Contains("first", processNames[1], StringComparison.Ordinal);
        Assert.Contains("second", processNames[2], StringComparison.Ordinal);
        var firstSliceByPid = Events(trace, "X").GroupBy(e => e.GetProperty("pid").GetInt32()).ToDictionary(g => g.Key, g => g.Min(e => e.GetProperty("ts").GetDouble()));
        Assert.True(firstSliceByPid[1] < firstSliceByPid[2]);
        Assert.Equal(0, firstSliceByPid[1]);
    }

    [Fact]
    public void ToJson_NoRuns_IsAnEmptyTrace()
    {
        using var trace = JsonDocument.Parse(ChromeTrace.ToJson([]));

        Assert.Empty(trace.RootElement.GetProperty("traceEvents").EnumerateArray());
        Assert.Equal(0, trace.RootElement.GetProperty("otherData").GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task ToJson_TimelineOff_HasMetadataButNoSlices()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x => x, new RunOptions { Engine = Engine.Sequential, CollectTimeline = false }).Bounded();

        using var trace = JsonDocument.Parse(ChromeTrace.ToJson([result.Report]));

        Assert.Empty(Events(trace, "X"));
        Assert.Contains(Events(trace, "M"), e => e.GetProperty("name").GetString() == "process_name");
    }

    [Fact]
    public async Task WriteFile_TwoRuns_WritesTheSameDocumentAsToJson()
    {
        var (first, second) = await TwoRunsAsync();
        var path = Path.Combine(Path.GetTempPath(), $"brigade-trace-{Guid.NewGuid():N}.json");
        try
        {
            ChromeTrace.WriteFile(path, [first, second]);

            Assert.Equal(ChromeTrace.ToJson([first, second]), await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
