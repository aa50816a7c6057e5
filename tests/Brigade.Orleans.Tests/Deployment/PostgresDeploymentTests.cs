using Npgsql;
using Xunit.Abstractions;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>The same deployment with PostgreSQL membership: the silos create Orleans' tables themselves, all starting at once.</summary>
[Collection("processes")]
[Trait("Category", "FaultInjection")]
public sealed class PostgresDeploymentTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    [Fact(Timeout = 300_000)]
    public async Task ThreeHosts_OneKilledMidRun_EveryItemExactlyOnce()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var hosts = await SimulatedHosts.StartAsync(postgres.Uri);
        output.WriteLine($"3 silos ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var victim = hosts.Silos[2];
        // 3,000 items, killed at the output's first third, as RedisDeploymentTests (it was 5,000).
        var outcome = await hosts.RunAsync(3_000, () => SiloSet.Kill(victim), TimeSpan.FromMinutes(3));
        output.WriteLine($"postgres, 127.0.0.4 SIGKILLed mid-run: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"[cluster stall] postgres membership, host killed: worst output stall {outcome.WorstStall.TotalSeconds:0.0} s");

        Assert.NotNull(outcome.FaultAt);
        Assert.True(victim.HasExited);
        outcome.AssertEveryItemExactlyOnce(3_000);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={postgres.Port};Username=postgres;Database=postgres");
        await connection.OpenAsync();
        await using var members = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = @id", connection);
        members.Parameters.AddWithValue("id", hosts.ClusterId);
        Assert.Equal(3L, (long)(await members.ExecuteScalarAsync())!);
    }
}
