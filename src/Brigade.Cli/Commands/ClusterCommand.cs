using System.CommandLine;
using System.Globalization;
using Brigade.Orleans;

namespace Brigade.Cli.Commands;

/// <summary><c>brigade cluster</c>: look at a running cluster (<c>status</c>) and print the PostgreSQL membership schema (<c>schema</c>).</summary>
internal static class ClusterCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("cluster", "Look at a cluster of silos: its silos, their cores, and the runs and items each holds.");
        command.Subcommands.Add(Status(stdout, stderr));
        command.Subcommands.Add(Schema(stdout));
        return command;
    }

    private static Command Status(TextWriter stdout, TextWriter stderr)
    {
        var client = new ClusterClientOptions();
        var status = new Command("status", "List the cluster's active silos: address, cores, runs and items each holds now, items run since it started; a silo that does not answer, with why, since when and membership's view of it.");
        client.AddTo(status);
        status.SetAction(async (parse, cancellationToken) =>
        {
            var connection = client.Connection(parse);
            // How long a silo may take to answer: a busy machine may need more than the 10 s default.
            var timeout = client.StallTimeout(parse, TimeSpan.FromSeconds(10));
            connection.ConnectTimeout = timeout;
            IReadOnlyList<ClusterSilo> silos;
            try
            {
                var cluster = await ClusterConnection.ConnectAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (cluster.ConfigureAwait(false))
                {
                    var engine = new ClusterEngine(cluster.Client, new ClusterEngineOptions { PrepareTimeout = timeout });
                    // Every silo membership holds active, those that did not answer too: status left them out (review 48).
                    silos = await engine.DiscoverAllAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ClusterUnavailableException e)
            {
                await stderr.WriteLineAsync($"brigade: cluster status: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var where = ClusterClientOptions.Describe(connection);
            var silent = silos.Count(s => s.NotAnswering is not null);
            // Each silo counts the items it ran since it started: a silo killed and started again counts from 0, and a silo
            // that left takes its count with it, so the sum is not the cluster's total (a kill -9'd silo's 30 items dropped
            // out of 2,000 and the line read "1,970 run"): say what it is.
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"cluster '{connection.ClusterId}' ({where}): {silos.Count} silo{(silos.Count == 1 ? "" : "s")}{(silent == 0 ? "" : $" ({silent} not answering)")}, {silos.Sum(s => s.ProcessorCount)} cores, " +
                $"{silos.Sum(s => s.ItemsRunning):N0} items running, {silos.Sum(s => s.ItemsCompleted):N0} run since each silo started")).ConfigureAwait(false);
            var width = Math.Max(4, silos.Count == 0 ? 0 : silos.Max(s => s.Address.Length));
            await stdout.WriteLineAsync($"{"SILO".PadRight(width)}  CORES  RUNS  RUNNING  ITEMS RUN").ConfigureAwait(false);
            foreach (var silo in silos)
            {
                if (silo.NotAnswering is { } reason)
                {
                    // Nothing of it is known but membership's view: dashes, not zeros, and the line below says why.
                    await stdout.WriteLineAsync($"{silo.Address.PadRight(width)}  {"-",5}  {"-",4}  {"-",7}  {"-",9}").ConfigureAwait(false);
                    var since = silo.NotAnsweringSince is { } at ? string.Create(CultureInfo.InvariantCulture, $", since {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC") : "";
                    await stdout.WriteLineAsync($"{"".PadRight(width)}  not answering ({reason}{since}); membership: {silo.Membership}").ConfigureAwait(false);
                    continue;
                }

                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{silo.Address.PadRight(width)}  {silo.ProcessorCount,5}  {silo.ActiveRuns,4}  {silo.ItemsRunning,7:N0}  {silo.ItemsCompleted,9:N0}")).ConfigureAwait(false);
                if (silo.Refusal is { } refusal)
                {
                    // Only its own log said why runs never used it (review 47).
                    await stdout.WriteLineAsync($"{"".PadRight(width)}  left out of every run: {refusal}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return status;
    }

    private static Command Schema(TextWriter stdout)
    {
        var store = new Argument<string>("store") { Description = "The membership store: postgres." };
        var schema = new Command("schema", "Print Orleans' SQL that creates the PostgreSQL membership tables (silos create them when they may; run it once as a role that may, otherwise).")
        {
            store,
        };
        schema.SetAction(async (parse, _) =>
        {
            if (parse.GetValue(store) is not ("postgres" or "postgresql"))
            {
                throw new CliUsageException($"cluster schema: unknown store '{parse.GetValue(store)}'; the one with tables to create is postgres (Redis needs none)");
            }

            await stdout.WriteAsync(ClusterMembership.GetPostgresSchemaScript()).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return schema;
    }
}
