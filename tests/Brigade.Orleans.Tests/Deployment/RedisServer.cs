using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// A real <c>redis-server</c> (Debian's), started for the tests on a free loopback port in a temp directory, with no
/// persistence; killed when disposed. Not a system service.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private readonly string? _password;
    private ChildProcess? _process;
    private string? _directory;

    /// <summary>A server that asks no password (xunit's fixtures have one public constructor).</summary>
    public RedisServer()
    {
    }

    /// <summary>A server that requires <paramref name="password"/> (<c>--requirepass</c>): <see cref="PasswordRedisServer"/>.</summary>
    internal RedisServer(string password) => _password = password;

    public int Port { get; private set; }

    public string Uri => $"redis://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        ServiceBinaries.Require(Binary, "redis-server");
        _directory = Directory.CreateTempSubdirectory("brigade-redis-").FullName;
        Port = FreePorts.On([IPAddress.Loopback], 1)[0];
        string[] arguments = ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _directory, "--protected-mode", "yes"];
        _process = new ChildProcess(Binary, _password is null ? arguments : [.. arguments, "--requirepass", _password]);
        var clock = Stopwatch.StartNew();
        while (!await AnswersAsync())
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}: {_process.Output}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => DisposeAsync().GetAwaiter().GetResult();

    public Task DisposeAsync()
    {
        Interlocked.Exchange(ref _process, null)?.Dispose();
        if (Interlocked.Exchange(ref _directory, null) is { } directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            // A server with a password answers a client that gave none, saying so: it is up.
            var answer = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || (_password is not null && answer.StartsWith("-NOAUTH", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
