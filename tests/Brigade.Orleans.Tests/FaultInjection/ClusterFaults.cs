using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Brigade.Orleans.Tests.Deployment;

namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>What the fault-injection tests share: a two-silo localhost cluster of real processes and a run watched item by item.</summary>
internal static class ClusterFaults
{
    /// <summary>The bound these tests hold runs to: a run that cannot finish must fail within it.</summary>
    public static readonly ClusterEngineOptions Options = new()
    {
        WorkersPerSilo = 1,
        UnresponsiveSiloTimeout = TimeSpan.FromSeconds(4),
        StallTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Starts a primary and a second silo (localhost clustering) on free loopback ports; returns their gateway ports.</summary>
    public static async Task<(LocalSiloProcess Primary, int PrimaryGateway, LocalSiloProcess Second, int SecondGateway)> StartPairAsync(SiloSet silos)
    {
        var p = FreePorts.On([IPAddress.Loopback], 4).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var primary = await silos.StartAsync("--port", p[0], "--gateway-port", p[1], "--primary-port", p[0]);
        var second = await silos.StartAsync("--port", p[2], "--gateway-port", p[3], "--primary-port", p[0]);
        return (primary, int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), second, int.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Waits until the engine sees <paramref name="count"/> silos (a joining silo takes a moment to be active).</summary>
    public static async Task<ClusterEngine> EngineAsync(ClusterConnection connection, int count, ClusterEngineOptions options)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var engine = await ClusterEngine.ConnectAsync(connection.Client, options);
            if ((await engine.DiscoverAsync()).Count >= count)
            {
                return engine;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{count} silos did not join within 60 s");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Streams <paramref name="items"/> Spin items through the engine, runs <paramref name="fault"/> once
    /// <paramref name="faultAfter"/> results arrived, and records every result, the longest gap between two results after
    /// the fault, and how the run ended.
    /// </summary>
    public static async Task<Outcome> RunAsync(ClusterEngine engine, int items, int faultAfter, Action fault, bool ordered = false, int capacity = 1024)
    {
        var seen = new ConcurrentDictionary<long, int>();
        var wrong = 0;
        var stream = Runner.StreamAsync(Enumerable.Range(0, items), new Spin(), new RunOptions { Engine = engine, BatchSize = 4, PreserveOrder = ordered, StreamCapacity = capacity });
        var clock = Stopwatch.StartNew();
        TimeSpan? faultAt = null;
        var last = TimeSpan.Zero;
        var worstGap = TimeSpan.Zero;
        Exception? error = null;
        try
        {
            await foreach (var result in stream)
            {
                var now = clock.Elapsed;
                if (faultAt is not null && now - last > worstGap)
                {
                    worstGap = now - last;
                }

                last = now;
                if (!result.IsSuccess || result.Value != (2 * result.Index) + 1)
                {
                    Interlocked.Increment(ref wrong);
                }

                if (seen.AddOrUpdate(result.Index, 1, (_, n) => n + 1) == 1 && seen.Count == faultAfter)
                {
                    fault();
                    faultAt = clock.Elapsed;
                    last = faultAt.Value;
                }
            }
        }
        catch (Exception e)
        {
            error = e;
        }

        var end = clock.Elapsed;
        return new Outcome(seen, wrong, error, stream.Report, faultAt, worstGap, faultAt is { } f ? end - f : TimeSpan.Zero);
    }

    public sealed record Outcome(ConcurrentDictionary<long, int> Seen, int Wrong, Exception? Error, RunReport? Report, TimeSpan? FaultAt, TimeSpan WorstGapAfterFault, TimeSpan FaultToEnd)
    {
        public int Duplicates => Seen.Values.Count(n => n > 1);

        public override string ToString() =>
            $"{Seen.Count} distinct results, {Duplicates} duplicated, {Wrong} wrong; fault at {FaultAt?.TotalSeconds:0.0} s; " +
            $"worst gap after it {WorstGapAfterFault.TotalSeconds:0.0} s; ended {FaultToEnd.TotalSeconds:0.0} s after it; " +
            $"{(Error is null ? "completed" : $"{Error.GetType().Name}: {Error.Message}")}";
    }
}
