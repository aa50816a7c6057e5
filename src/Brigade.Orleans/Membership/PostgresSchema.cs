using System.Reflection;
using Npgsql;

namespace Brigade.Orleans.Membership;

/// <summary>
/// Creates Orleans' membership tables in a PostgreSQL database when they are missing, with Orleans' own scripts
/// (<c>PostgreSQL-Main.sql</c>, <c>PostgreSQL-Clustering.sql</c>, shipped in this assembly): idempotent, and safe when
/// several silos start at once (one transaction under an advisory lock).
/// </summary>
internal static class PostgresSchema
{
    public const string Invariant = "Npgsql";

    // Any fixed number: silos of every Brigade cluster on one database serialize their schema check on it.
    private const long AdvisoryLock = 0x42_52_49_47_41_44_45;

    public static string MainScript => Read("PostgreSQL-Main.sql");

    public static string ClusteringScript => Read("PostgreSQL-Clustering.sql");

    /// <summary>Creates what is missing; returns what it did, for the silo's log.</summary>
    public static async Task<string> EnsureAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLock})", cancellationToken).ConfigureAwait(false);
                var hasQueries = await ExistsAsync(connection, transaction, "orleansquery", cancellationToken).ConfigureAwait(false);
                var hasMembership = await ExistsAsync(connection, transaction, "orleansmembershiptable", cancellationToken).ConfigureAwait(false);
                if (hasQueries && hasMembership)
                {
                    return "the membership tables exist";
                }

                if (!hasQueries)
                {
                    await ExecuteAsync(connection, transaction, MainScript, cancellationToken).ConfigureAwait(false);
                }

                if (!hasMembership)
                {
                    await ExecuteAsync(connection, transaction, ClusteringScript, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return "created the membership tables (Orleans' PostgreSQL-Main.sql and PostgreSQL-Clustering.sql)";
            }
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("name", table);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Brigade.Orleans.Membership.{name}")
            ?? throw new InvalidOperationException($"The script {name} is missing from Brigade.Orleans.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
