using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Membership;

/// <summary>Creates the PostgreSQL membership tables before the silo starts (registered before Orleans, so it runs first).</summary>
internal sealed partial class PostgresSchemaService(ClusterMembership membership, ILogger<PostgresSchemaService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var done = await PostgresSchema.EnsureAsync(membership.ConnectionString, cancellationToken).ConfigureAwait(false);
            LogSchema(logger, membership, done);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The membership tables in {membership} could not be checked or created ({e.Message.Split('\n')[0]}). " +
                "If the silo's database role may not create tables, create them once with Orleans' scripts: 'brigade cluster schema postgres | psql ...'.",
                e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Brigade: {Membership}: {Done}")]
    private static partial void LogSchema(ILogger logger, ClusterMembership membership, string done);
}
