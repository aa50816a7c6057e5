using System.Net;
using System.Globalization;
using Npgsql;
using StackExchange.Redis;

namespace Brigade.Orleans;

/// <summary>
/// The membership store of a cluster across machines: a Redis server or a PostgreSQL database that every silo and client
/// of the cluster points at. There is no primary silo: any silo can start first or die first.
/// </summary>
/// <remarks>
/// Without a membership store (<see cref="BrigadeSiloOptions.Membership"/> left <see langword="null"/>), silos use Orleans'
/// localhost clustering, where every silo joins through a primary silo on one machine.
/// </remarks>
/// <example>
/// <code>
/// var membership = ClusterMembership.Parse("redis://10.0.0.5:6379");
/// var membership = ClusterMembership.Parse("postgres://brigade:secret@10.0.0.5:5432/brigade");
/// </code>
/// </example>
public sealed class ClusterMembership
{
    private readonly string _display;

    private ClusterMembership(ClusterMembershipKind kind, string connectionString, string display)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _display = display;
    }

    /// <summary>Gets the kind of store.</summary>
    public ClusterMembershipKind Kind { get; }

    /// <summary>Gets the store's connection string: a StackExchange.Redis configuration string, or an Npgsql connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>A Redis membership store.</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>10.0.0.5:6379,password=...</c>.</param>
    /// <returns>The membership.</returns>
    /// <exception cref="ArgumentException">The configuration is empty or names no server.</exception>
    public static ClusterMembership Redis(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{configuration}' is not a Redis configuration: {e.Message}", nameof(configuration), e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"The Redis configuration '{options.ToString(includePassword: false)}' names no server.", nameof(configuration));
        }

        return new ClusterMembership(ClusterMembershipKind.Redis, options.ToString(includePassword: true), $"redis {options.ToString(includePassword: false)}");
    }

    /// <summary>A PostgreSQL membership store.</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=10.0.0.5;Username=brigade;Password=...;Database=brigade</c>.</param>
    /// <returns>The membership.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or not valid.</exception>
    public static ClusterMembership Postgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"Not a PostgreSQL connection string: {e.Message}", nameof(connectionString), e);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no host.", nameof(connectionString));
        }

        return new ClusterMembership(ClusterMembershipKind.Postgres, builder.ConnectionString, $"postgres {Describe(builder)}");
    }

    /// <summary>Parses a membership URI: <c>redis://[:PASSWORD@]HOST[:PORT][/DB]</c> (<c>rediss://</c> for TLS) or
    /// <c>postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?KEYWORD=VALUE...]</c> (<c>postgresql://</c> too; keywords are
    /// Npgsql connection-string keywords, such as <c>SSL Mode=Require</c>).</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The membership.</returns>
    /// <exception cref="FormatException">The text is not such a URI; the message says what is expected, in one line.</exception>
    public static ClusterMembership Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            throw new FormatException($"'{Redact(uri)}' is not a membership URI: use redis://HOST:PORT or postgres://USER:PASSWORD@HOST:PORT/DATABASE");
        }

        var (user, password) = Credentials(parsed);
        try
        {
            switch (parsed.Scheme)
            {
                case "redis" or "rediss":
                {
                    var options = new ConfigurationOptions { Ssl = parsed.Scheme == "rediss", AbortOnConnectFail = false };
                    options.EndPoints.Add(parsed.Host, parsed.IsDefaultPort || parsed.Port < 0 ? 6379 : parsed.Port);
                    if (!string.IsNullOrEmpty(user))
                    {
                        options.User = user;
                    }

                    if (password is not null)
                    {
                        options.Password = password;
                    }

                    var path = parsed.AbsolutePath.Trim('/');
                    if (path.Length > 0)
                    {
                        options.DefaultDatabase = int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
                            ? db
                            : throw new FormatException($"'{Redact(uri)}': the path names a Redis database number, not '{path}'");
                    }

                    return new ClusterMembership(ClusterMembershipKind.Redis, options.ToString(includePassword: true), $"redis://{parsed.Host}:{options.EndPoints[0].ToString()!.Split(':')[^1]}");
                }

                case "postgres" or "postgresql":
                {
                    var builder = new NpgsqlConnectionStringBuilder
                    {
                        Host = parsed.Host,
                        Port = parsed.IsDefaultPort || parsed.Port < 0 ? 5432 : parsed.Port,
                    };
                    if (!string.IsNullOrEmpty(user))
                    {
                        builder.Username = user;
                    }

                    if (password is not null)
                    {
                        builder.Password = password;
                    }

                    var database = Uri.UnescapeDataString(parsed.AbsolutePath.Trim('/'));
                    if (database.Length > 0)
                    {
                        builder.Database = database;
                    }

                    foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
                        builder[Uri.UnescapeDataString(key.Replace('+', ' '))] = Uri.UnescapeDataString(value.Replace('+', ' '));
                    }

                    return new ClusterMembership(ClusterMembershipKind.Postgres, builder.ConnectionString, $"postgres://{Describe(builder)}");
                }

                default:
                    throw new FormatException($"'{Redact(uri)}': unknown membership store '{parsed.Scheme}'; use redis://HOST:PORT or postgres://USER:PASSWORD@HOST:PORT/DATABASE");
            }
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new FormatException($"'{Redact(uri)}': {e.Message.Split(" (Parameter", 2)[0]}", e);
        }
    }

    /// <summary>Gets Orleans' SQL scripts that create the PostgreSQL membership tables (<c>PostgreSQL-Main.sql</c> then
    /// <c>PostgreSQL-Clustering.sql</c>), for a database role that may not create tables itself: run them once as a role
    /// that may. Silos started with a PostgreSQL membership create the tables when they are missing.</summary>
    /// <returns>The scripts, in the order to run them.</returns>
    public static string GetPostgresSchemaScript() => Membership.PostgresSchema.MainScript + "\n" + Membership.PostgresSchema.ClusteringScript;

    /// <summary>Describes the store without its password.</summary>
    /// <returns>For example <c>redis://10.0.0.5:6379</c>.</returns>
    public override string ToString() => _display;

    /// <summary>Where the store listens (its first host), to tell an unreachable store from a cluster with no silo.</summary>
    internal (string Host, int Port) FirstEndpoint()
    {
        if (Kind == ClusterMembershipKind.Redis)
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(ConnectionString).EndPoints.FirstOrDefault() switch
            {
                DnsEndPoint d => (d.Host, d.Port == 0 ? 6379 : d.Port),
                IPEndPoint i => (i.Address.ToString(), i.Port == 0 ? 6379 : i.Port),
                _ => ("localhost", 6379),
            };
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return ((builder.Host ?? "localhost").Split(',')[0].Split(':')[0], builder.Port);
    }

    private static (string? User, string? Password) Credentials(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return (null, null);
        }

        var parts = uri.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : null);
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder) =>
        string.Create(CultureInfo.InvariantCulture, $"{(string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@")}{builder.Host}:{builder.Port}/{builder.Database}");

    // Never echo a password in an error message.
    private static string Redact(string uri)
    {
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return uri;
        }

        var colon = uri.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? string.Concat(uri.AsSpan(0, colon + 1), "***", uri.AsSpan(at)) : uri;
    }
}
