using Brigade.Orleans.Grains;
using Brigade.Orleans.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Brigade.Orleans.Tests;

[Collection("cluster")]
public sealed class ClusterEngineTests(ClusterFixture fixture)
{
    private RunOptions Options(int? batchSize = null) => new() { Engine = fixture.Engine, BatchSize = batchSize };

    [Fact(Timeout = 30_000)]
    public async Task Codegen_SiloStartsWithGrainAndMessageTypes_AndTheyRoundTrip()
    {
        var silos = await fixture.Engine.DiscoverAsync();

        Assert.Equal(2, silos.Count);
        Assert.All(silos, s => Assert.Equal(2, s.Workers));
        var serializer = fixture.Cluster.Client.ServiceProvider.GetRequiredService<Serializer>();
        var response = new BatchResponse
        {
            Silo = "127.0.0.1:1",
            Ran = 2,
            Results = "[1,null]"u8.ToArray(),
            Errors = [new ItemError { Offset = 1, Error = RemoteErrorData.From(Engines.Remote.RemoteError.From(new InvalidOperationException("boom", new ArgumentException("inner")))), Attempts = 3 }],
            CpuTicks = 42,
        };
        var copy = serializer.Deserialize<BatchResponse>(serializer.SerializeToArray(response))!;
        Assert.Equal(response.Results, copy.Results);
        Assert.Equal("boom", copy.Errors![0].Error.Message);
        Assert.Equal("System.ArgumentException", copy.Errors[0].Error.Inner!.Type);
        Assert.Equal(3, copy.Errors[0].Attempts);
        var policy = new Engines.Remote.ItemPolicySpec(TimeSpan.FromSeconds(2), 3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), RetryBackoff.Linear, UseJitter: false);
        var request = serializer.Deserialize<BatchRequest>(serializer.SerializeToArray(new BatchRequest { WorkType = "W", Count = 1, Items = [0, 1, 0, 0, 0, 0x31], Policy = ItemPolicyData.From(policy) }))!;
        Assert.Equal([0, 1, 0, 0, 0, 0x31], request.Items);
        Assert.Equal(policy, request.Policy!.ToSpec());
        var prepare = serializer.Deserialize<PrepareRequest>(serializer.SerializeToArray(new PrepareRequest { WorkType = "W", ProtocolVersion = ClusterProtocol.Version }))!;
        Assert.Equal(ClusterProtocol.Version, prepare.ProtocolVersion);
    }

    [Fact(Timeout = 30_000)]
    public async Task Prepare_EngineOfAnotherProtocolVersion_IsRejectedPlainly()
    {
        var silo = fixture.Cluster.Silos[0].SiloAddress;
        var grain = fixture.Cluster.Client.GetGrain<IWorkerGrain>(SlotKey.Create(silo, "probe", 0));
        PrepareRequest Request(int version) => new()
        {
            WorkType = typeof(Square).FullName,
            InputType = typeof(int).FullName,
            OutputType = typeof(long).FullName,
            ProtocolVersion = version,
        };

        var old = await grain.PrepareAsync(Request(0));
        var other = await grain.PrepareAsync(Request(ClusterProtocol.Version + 1));
        var same = await grain.PrepareAsync(Request(ClusterProtocol.Version));

        Assert.Equal($"protocol v1 on the engine, v{ClusterProtocol.Version} here: silos and the engine must run the same version of Brigade.Orleans", old.Rejected);
        Assert.Contains($"protocol v{ClusterProtocol.Version + 1} on the engine", other.Rejected, StringComparison.Ordinal);
        Assert.Null(same.Rejected);
        Assert.Equal(ClusterProtocol.Version, same.ProtocolVersion);
    }

    [Fact(Timeout = 30_000)]
    public async Task Map_ResultsEqualTheSequentialEngines()
    {
        var items = Enumerable.Range(-500, 3000).ToArray();
        var slices = Enumerable.Range(0, 40).Select(i => new Slice(i * 2_000L, (i + 1) * 2_000L)).ToArray();

        var expected = await Runner.MapAsync(items, new Square(), new RunOptions { Engine = Brigade.Engine.Sequential });
        var actual = await Runner.MapAsync(items, new Square(), Options());
        var expectedPrimes = await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = Brigade.Engine.Sequential });
        var actualPrimes = await Runner.MapAsync(slices, new CountPrimes(), Options());
        var widths = await Runner.MapAsync(slices, new SliceWidth(), Options());

        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expectedPrimes.Values, actualPrimes.Values);
        Assert.All(widths.Values, w => Assert.Equal(2_000, w));
        Assert.Equal("cluster", actual.Report.Engine);
        Assert.True(actual.Report.IsSuccess);
        Assert.Equal(3000, actual.Report.Workers.Sum(w => w.Items));
    }

    [Fact(Timeout = 30_000)]
    public async Task Map_UsesBothSilos_AndReportsItemsPerSilo()
    {
        Tick.DelayMilliseconds = 2;
        _ = Tick.Reset(int.MaxValue);

        var result = await Runner.MapAsync(Enumerable.Range(0, 200), new Tick(), Options());

        var perSilo = result.Report.Workers.Where(w => w.Items > 0).GroupBy(w => w.Location).ToDictionary(g => g.Key!, g => g.Sum(w => w.Items));
        Assert.Equal(2, perSilo.Count);
        Assert.Equal(200, perSilo.Values.Sum());
        Assert.All(fixture.Cluster.Silos, s => Assert.Contains(s.SiloAddress.Endpoint.ToString(), perSilo.Keys));
        Assert.Equal(Enumerable.Range(1, 200), result.Values);
    }

    [Fact(Timeout = 30_000)]
    public async Task AsyncWork_RunsOnTheCluster()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 300), new AsyncDelay(), Options());

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"#{i}"), result.Values);
    }

    [Fact(Timeout = 30_000)]
    public async Task FailingItems_AreReportedWithIndexAndTheRemoteException()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 100), new FailOdd(), Options(batchSize: 7));

        Assert.Equal(50, result.Report.Failed);
        Assert.Equal(50, result.Report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)(2 * i + 1)), result.Report.Failures.Select(f => f.Index));
        var failure = Assert.IsType<RemoteWorkException>(result.Report.Failures[0].Exception);
        Assert.Equal("System.InvalidOperationException", failure.RemoteType);
        Assert.Equal("odd item 1", failure.Message);
        Assert.StartsWith("silo 127.0.0.1:", failure.Location, StringComparison.Ordinal);
        Assert.Contains(nameof(FailOdd), failure.RemoteStackTrace, StringComparison.Ordinal);
        Assert.True(result[0].IsSuccess);
        Assert.False(result[1].IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task StopOnFirstFailure_StopsTheRun()
    {
        var options = Options(batchSize: 1);
        options.FailureMode = FailureMode.StopOnFirstFailure;

        var result = await Runner.MapAsync(Enumerable.Range(0, 2_000).Select(i => i == 3 ? 1 : 0), new FailOdd(), options);

        Assert.True(result.Report.StoppedOnFailure);
        Assert.Contains(result.Report.Failures, f => f.Index == 3);
        Assert.True(result.Report.NotRun > 0);
        Assert.Equal(2_000, result.Report.Succeeded + result.Report.Failed + result.Report.NotRun);
    }

    [Fact(Timeout = 30_000)]
    public async Task MapReduce_CombinesInInputOrder()
    {
        var result = await Runner.MapReduceAsync(Enumerable.Range(1, 1000), new Square(), (a, b) => a + b, Options());

        Assert.Equal(Enumerable.Range(1, 1000).Sum(i => (long)i * i), result.Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task TinyItems_AreBatched()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 50_000).ToArray(), new Square(), Options());

        Assert.Equal(50_000, result.Values.Count);
        Assert.True(result.Report.Batches < 5_000, $"{result.Report.Batches} batches for 50,000 tiny items");
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancellation_StopsTheRunAndThrows()
    {
        Tick.DelayMilliseconds = 20;
        var started = Tick.Reset(20);
        using var cts = new CancellationTokenSource();

        var run = Runner.MapAsync(Enumerable.Range(0, 12_000), new Tick(), Options(batchSize: 4), cts.Token);
        await started.WaitAsync(TimeSpan.FromSeconds(20));
        await cts.CancelAsync();

        // All 12,000 items would take 60 s on four slots; a cancelled run ends within a few batches. The bound (30 s, was
        // 10 s against 20 s of items) leaves a loaded machine room and stays far from a run that went on.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        var executed = Tick.Executions;
        Assert.True(executed < 12_000, $"{executed} items ran");
    }

    [Fact(Timeout = 30_000)]
    public async Task ItemThatFailsOnEveryAttempt_IsReportedFailedWithItsIndex_AndItsNeighboursComplete()
    {
        var log = new EventLog();
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2, MaxBatchAttempts = 2 }, log);

        var result = await Runner.MapAsync(Enumerable.Range(0, 40), new Poisoned(), new RunOptions { Engine = engine, BatchSize = 8 });

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(Poisoned.Poison, failure.Index);
        var error = Assert.IsType<ClusterDispatchException>(failure.Exception);
        // Its batch of 8 failed, then the halves holding it (4, 2), then the item alone: every attempt is listed.
        Assert.Equal(4, error.Attempts.Count);
        Assert.Equal(4, failure.Attempts); // ItemFailure.Attempts counts the same tries (it read 1)
        Assert.All(error.Attempts, a => Assert.Contains("injected: this call cannot complete", a, StringComparison.Ordinal));
        Assert.StartsWith("Item 13 could not be run on the cluster after 4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(39, result.Report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 13).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Enumerable.Range(0, 40).Where(i => i != 13).Select(i => result[i].Value));
        Assert.True(log.Has(7112) && log.Has(7113));
    }

    [Fact(Timeout = 30_000)]
    public async Task DelegateWork_IsRejectedClearly()
    {
        var error = Assert.IsType<ClusterWorkRejectedException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Enumerable.Range(0, 10), x => x + 1, Options()))).InnerException);

        Assert.Contains("delegate", error.Message, StringComparison.Ordinal);
        Assert.Contains("IWork", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Discover_ShowsTheRunsAndItemsEachSiloHolds()
    {
        var before = (await fixture.Engine.DiscoverAsync()).ToDictionary(s => s.Address, s => s.ItemsCompleted);

        // Four slots (two silos × two), batches of 4: the first item of each slot's batch is held, so while the test looks
        // every slot has a batch of 4 running, however slowly the machine goes.
        var held = Held.Close(4);
        var run = Runner.MapAsync(Enumerable.Range(0, 40), new Held(), Options(batchSize: 4));
        IReadOnlyList<ClusterSilo> during;
        try
        {
            await held.WaitAsync(TimeSpan.FromSeconds(20));
            during = await fixture.Engine.DiscoverAsync();
        }
        finally
        {
            Held.Open();
        }

        var result = await run;
        var after = await fixture.Engine.DiscoverAsync();

        Assert.Equal(Enumerable.Range(1, 40), result.Values);
        Assert.Equal(2, during.Count);
        Assert.All(during, s => Assert.True(s.ActiveRuns >= 1, $"{s.Address}: {s.ActiveRuns} runs"));
        // At least: batches of a run cancelled by an earlier test may still be finishing on a silo, and count too.
        Assert.All(during, s => Assert.True(s.ItemsRunning >= 8, $"{s.Address}: {s.ItemsRunning} items running"));
        Assert.All(during, s => Assert.Equal(Environment.ProcessorCount, s.ProcessorCount));
        long Completed(ClusterSilo s) => s.ItemsCompleted - before.GetValueOrDefault(s.Address);
        Assert.True(after.Sum(Completed) >= 40, $"{after.Sum(Completed)} items counted");
        Assert.All(after, s => Assert.True(Completed(s) >= 8, $"{s.Address}: {Completed(s)} items counted"));
    }
}
