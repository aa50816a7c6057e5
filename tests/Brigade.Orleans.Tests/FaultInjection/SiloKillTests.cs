using Brigade.Orleans.Tests.Deployment;
using Xunit.Abstractions;

namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>
/// Silos killed with SIGKILL mid-run, as real processes: a run either finishes with every item exactly once, or fails
/// with <see cref="ClusterUnavailableException"/> within its bound (<see cref="ClusterEngineOptions.StallTimeout"/>), never hangs.
/// </summary>
[Collection("processes")]
[Trait("Category", "FaultInjection")]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    // Kill to exception: the stall bound, plus the monitor's tick and this loaded machine's slack.
    private static readonly TimeSpan Bound = ClusterFaults.Options.StallTimeout + TimeSpan.FromSeconds(10);

    [Fact(Timeout = 150_000)]
    public async Task KillingTheClientsOnlyGateway_FailsWithClusterUnavailableWithinTheBound()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var silos = new SiloSet();
        var (_, _, second, secondGateway) = await ClusterFaults.StartPairAsync(silos);
        output.WriteLine($"silos ready after {clock.Elapsed.TotalSeconds:0.0} s");
        var connection = new ClusterConnectionOptions();
        connection.GatewayPorts.Add(secondGateway);
        await using var cluster = await ClusterConnection.ConnectAsync(connection);
        var engine = await ClusterFaults.EngineAsync(cluster, 2, ClusterFaults.Options);
        output.WriteLine($"client connected, 2 silos seen after {clock.Elapsed.TotalSeconds:0.0} s");

        var outcome = await ClusterFaults.RunAsync(engine, 20_000, 300, () => SiloSet.Kill(second));
        output.WriteLine($"only gateway killed: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");

        // The client has no way left to the cluster: the run cannot finish, so it must say so, in time.
        var error = Assert.IsType<ClusterUnavailableException>(outcome.Error);
        Assert.Contains("no progress", error.Message, StringComparison.Ordinal);
        Assert.True(outcome.FaultToEnd < Bound, $"failed {outcome.FaultToEnd.TotalSeconds:0.0} s after the kill (bound {Bound.TotalSeconds:0} s)");
        Assert.Equal(0, outcome.Duplicates);
        Assert.Equal(0, outcome.Wrong);
    }

    [Fact(Timeout = 150_000)]
    public async Task KillingThePrimaryOfALocalhostCluster_FinishesExactlyOnceOrFailsWithinTheBound()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var silos = new SiloSet();
        var (primary, primaryGateway, _, secondGateway) = await ClusterFaults.StartPairAsync(silos);
        output.WriteLine($"silos ready after {clock.Elapsed.TotalSeconds:0.0} s");
        var connection = new ClusterConnectionOptions();
        connection.GatewayPorts.Add(primaryGateway);
        connection.GatewayPorts.Add(secondGateway);
        await using var cluster = await ClusterConnection.ConnectAsync(connection);
        var engine = await ClusterFaults.EngineAsync(cluster, 2, ClusterFaults.Options);
        output.WriteLine($"client connected, 2 silos seen after {clock.Elapsed.TotalSeconds:0.0} s");

        // 2,000 items (it was 6,000): the primary dies at the 300th result with batches in flight (one worker a silo, 4
        // items a batch), and the 1,700 left are ~1 s of the second silo's spinning, past any batch the primary held.
        var outcome = await ClusterFaults.RunAsync(engine, 2_000, 300, () => SiloSet.Kill(primary));
        output.WriteLine($"localhost primary killed: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(0, outcome.Duplicates);
        Assert.Equal(0, outcome.Wrong);
        if (outcome.Error is null)
        {
            Assert.Equal(2_000, outcome.Seen.Count);
            Assert.True(outcome.Report!.IsSuccess, outcome.Report.ToString());
        }
        else
        {
            Assert.IsType<ClusterUnavailableException>(outcome.Error);
            Assert.True(outcome.FaultToEnd < Bound, $"failed {outcome.FaultToEnd.TotalSeconds:0.0} s after the kill (bound {Bound.TotalSeconds:0} s)");
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task BrigadeRun_KillingTheOnlyGateway_FailsInOneLineWithinTheBound_KeepingWhatRan()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var silos = new SiloSet();
        var (_, _, second, secondGateway) = await ClusterFaults.StartPairAsync(silos);
        output.WriteLine($"silos ready after {clock.Elapsed.TotalSeconds:0.0} s");
        var directory = Directory.CreateTempSubdirectory("brigade-cli-fault-").FullName;
        try
        {
            var outcome = await SimulatedHosts.RunCliAsync(directory, ["--gateway", secondGateway.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-timeout", "10s"],
                20_000, () => SiloSet.Kill(second), TimeSpan.FromSeconds(120),
                // Killed once the output holds 1,000 results, not a third: the run fails after the kill, so the items
                // before it are all it costs (at CI's load, ~200 items/s, a third was ~30 s of spinning). By the output,
                // not the first progress line (2 s, up to ~4,000 items on a quiet machine); the 20,000 are never run.
                faultAfter: 1_000);
            output.WriteLine($"brigade run, only gateway killed: {outcome}; run over after {clock.Elapsed.TotalSeconds:0.0} s");
            output.WriteLine(outcome.Stderr);

            Assert.Equal(1, outcome.ExitCode);
            var errors = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("brigade run: ", StringComparison.Ordinal)).ToList();
            var error = Assert.Single(errors);
            Assert.StartsWith("brigade: ", error, StringComparison.Ordinal);
            Assert.Contains("made no progress", error, StringComparison.Ordinal);

            // The run applied the stall bound it was given (the default is 30 s): the message says so, which no load can
            // blur. The time from the kill to the end is a hang check only (a run that never ends waits out the 120 s
            // above); 15 s of slack over the 10 s bound could be used up by a loaded machine, so it has 60.
            Assert.Contains("(StallTimeout, brigade run --cluster-timeout: 10 s)", error, StringComparison.Ordinal);
            Assert.True(outcome.Elapsed - outcome.FaultAt!.Value < TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(60), $"ended {(outcome.Elapsed - outcome.FaultAt.Value).TotalSeconds:0.0} s after the kill");

            // Regression: the stall ended with the reason alone. Now the summary follows it: what was done, failed and
            // not run, what became of the silos, and the exact command that continues the run.
            var summary = outcome.Stderr.Split('\n').Last(l => l.Length > 0);
            Assert.Matches(@"^brigade run: [\d,]+ items? done, 0 failed, [\d,]+ not run; silos lost: \d of 2 .*; stopped\. Resume with: brigade run .* --cluster-timeout 10s --resume$", summary);
            var numbers = System.Text.RegularExpressions.Regex.Match(summary, @"^brigade run: ([\d,]+) items? done, 0 failed, ([\d,]+) not run");
            Assert.Equal(20_000, numbers.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)));

            // What ran before the kill is kept, in order, once: --resume finishes the run when the cluster is back.
            Assert.InRange(outcome.Lines.Length, 1, 19_999);
            Assert.All(outcome.Lines.Select((line, i) => (line, i)), x => Assert.Equal(((2 * x.i) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), x.line));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
