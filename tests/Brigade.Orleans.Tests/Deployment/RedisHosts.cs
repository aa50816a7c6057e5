namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// The Redis deployment tests' Redis server and three hosts, shared by the class: each test loses 127.0.0.3 (killed or
/// cut off) and nothing else, so the next test gets the other two as they were and a new silo on 127.0.0.3
/// (<see cref="SimulatedHosts.ReplaceAsync"/>): one silo start per test instead of three (~2.5 s of CPU each, and the
/// graceful stops of the others), with three active silos, none of them faulted, at every test's start.
/// </summary>
public sealed class RedisHosts : IAsyncLifetime
{
    // The host every test of the class loses.
    public const int Victim = 1;

    private SimulatedHosts? _hosts;
    private bool _victimLost;

    public RedisServer Redis { get; } = new();

    public Task InitializeAsync() => Redis.InitializeAsync();

    /// <summary>
    /// The three hosts, started at the first call; at every later call the victim of the previous test is replaced
    /// first. Each caller loses <see cref="Victim"/> (and may lose only it). The tests of a class run one at a time.
    /// </summary>
    internal async Task<SimulatedHosts> TakeAsync()
    {
        if (_hosts is null)
        {
            _hosts = await SimulatedHosts.StartAsync(Redis.Uri);
        }
        else if (_victimLost)
        {
            await _hosts.ReplaceAsync(Victim);
        }

        _victimLost = true;
        return _hosts;
    }

    public async Task DisposeAsync()
    {
        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
