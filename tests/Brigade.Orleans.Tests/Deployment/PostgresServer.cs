using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// A real PostgreSQL server (Debian's binaries), created with <c>initdb</c> in a temp directory and run on a free loopback
/// port for the tests; stopped and deleted when disposed. PostgreSQL refuses to run as root, so as root (CI) it runs as
/// the <c>postgres</c> user the Debian package created, through <c>setpriv</c> (which execs: the pid is the server's).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IDisposable
{
    private ChildProcess? _server;
    private string? _directory;

    public int Port { get; private set; }

    public string Uri => $"postgres://postgres@127.0.0.1:{Port}/postgres";

    public async Task InitializeAsync()
    {
        var bin = ServiceBinaries.PostgresBin();
        _directory = Directory.CreateTempSubdirectory("brigade-postgres-").FullName;
        var data = Path.Combine(_directory, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Check(ChildProcess.Run("chown", "postgres:postgres", _directory), "chown");
        }

        Check(ChildProcess.Run(asRoot ? "/usr/bin/setpriv" : Path.Combine(bin, "initdb"),
            [.. AsPostgres(asRoot, Path.Combine(bin, "initdb")), "-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]), "initdb");

        Port = FreePorts.On([IPAddress.Loopback], 1)[0];
        _server = new ChildProcess(asRoot ? "/usr/bin/setpriv" : Path.Combine(bin, "postgres"),
            [.. AsPostgres(asRoot, Path.Combine(bin, "postgres")), "-D", data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _directory,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3");
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (_server.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"PostgreSQL did not start on port {Port}: {e.Message}; {_server.Output}");
                }

                await Task.Delay(200);
            }
        }
    }

    public void Dispose() => DisposeAsync().GetAwaiter().GetResult();

    public Task DisposeAsync()
    {
        // SIGINT: a fast shutdown (the server's own children go with it); killed after 10 s.
        var server = Interlocked.Exchange(ref _server, null);
        server?.Stop("INT", TimeSpan.FromSeconds(10));
        server?.Dispose();
        if (Interlocked.Exchange(ref _directory, null) is { } directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return Task.CompletedTask;
    }

    private static string[] AsPostgres(bool asRoot, string binary) =>
        asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--reset-env", binary] : [];

    private static void Check((int ExitCode, string Output) result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Output}");
        }
    }
}
