namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// A real <c>redis-server</c> that requires <see cref="Password"/> (<see cref="RedisServer"/> with <c>--requirepass</c>):
/// the store that refuses a client or a silo with a wrong password or none (reviews 46 and 47). One per test class.
/// </summary>
public sealed class PasswordRedisServer : IAsyncLifetime, IDisposable
{
    /// <summary>The password the server requires.</summary>
    public const string Password = "brigade-test-secret";

    private readonly RedisServer _server = new(Password);

    /// <summary>Gets the server's loopback port.</summary>
    public int Port => _server.Port;

    /// <inheritdoc/>
    public Task InitializeAsync() => _server.InitializeAsync();

    /// <inheritdoc/>
    public Task DisposeAsync() => _server.DisposeAsync();

    /// <inheritdoc/>
    public void Dispose() => _server.Dispose();
}
