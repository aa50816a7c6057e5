using Xunit.Abstractions;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// The cluster as users deploy it: three hosts (127.0.0.2-4, same ports) with Redis membership and no primary, a
/// CPU-bound <c>brigade run --engine cluster</c>, and one host lost mid-run: killed, or cut off by a partition. The hosts
/// are the class's (<see cref="RedisHosts"/>): each test starts with three active silos, 127.0.0.3 new.
/// </summary>
[Collection("processes")]
[Trait("Category", "FaultInjection")]
public sealed class RedisDeploymentTests(RedisHosts fixture, ITestOutputHelper output) : IClassFixture<RedisHosts>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    // 3,000 Spin items (0.5 ms each), the host killed once the output holds the first third (SimulatedHosts.RunCliAsync:
    // by the output, not the 2 s progress line, so no machine is fast enough to end the run before the fault). The 2,000
    // left are ~1 s of the three silos' spinning on 2 cores: the victim has batches in flight when it dies, which the run
    // must redo elsewhere, once, after the failover. It was 10,000 (5,000 for the partition below), sized for a fault at
    // the first progress line that reached a third.
    private const int Items = 3_000;

    [Fact(Timeout = 300_000)]
    public async Task ThreeHosts_OneKilledMidRun_EveryItemExactlyOnce()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var hosts = await fixture.TakeAsync();
        output.WriteLine($"3 silos ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var (code, status, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(60), "cluster", "status", "--membership", fixture.Redis.Uri, "--cluster-id", hosts.ClusterId, "--cluster-timeout", "45s");
        output.WriteLine($"status after {clock.Elapsed.TotalSeconds:0.0} s:\n{status}");
        Assert.True(code == 0, stderr);
        Assert.Contains(": 3 silos,", status, StringComparison.Ordinal);
        Assert.All(SimulatedHosts.Addresses, a => Assert.Contains($"{a}:", status, StringComparison.Ordinal));

        var victim = hosts.Silos[RedisHosts.Victim];
        var outcome = await hosts.RunAsync(Items, () => SiloSet.Kill(victim), RunTimeout);
        output.WriteLine($"redis, 127.0.0.3 SIGKILLed mid-run: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"[cluster stall] redis membership, host killed: worst output stall {outcome.WorstStall.TotalSeconds:0.0} s");

        Assert.NotNull(outcome.FaultAt);
        Assert.True(victim.HasExited);
        outcome.AssertEveryItemExactlyOnce(Items);
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task ThreeHosts_OnePartitionedMidRun_EveryItemExactlyOnce()
    {
        var unavailable = Partition.Unavailable();
        Skip.If(unavailable is not null, $"no partition can be made here: {unavailable}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var hosts = await fixture.TakeAsync();
        output.WriteLine($"3 silos ready after {clock.Elapsed.TotalSeconds:0.0} s");
        Partition? cut = null;
        try
        {
            var outcome = await hosts.RunAsync(Items, () => cut = Partition.Cut(SimulatedHosts.Addresses[RedisHosts.Victim]), RunTimeout);
            output.WriteLine($"redis, 127.0.0.3 partitioned mid-run: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");
            Console.WriteLine($"[cluster stall] redis membership, host partitioned: worst output stall {outcome.WorstStall.TotalSeconds:0.0} s");

            Assert.NotNull(cut);
            outcome.AssertEveryItemExactlyOnce(Items);
        }
        finally
        {
            cut?.Dispose();
        }
    }
}
