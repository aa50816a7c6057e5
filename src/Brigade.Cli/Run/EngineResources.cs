using Brigade.Orleans;
using Brigade.Processes;

namespace Brigade.Cli.Run;

/// <summary>Engines <c>brigade run</c> creates for one run (worker processes, a cluster connection), released when it ends.</summary>
internal sealed class EngineResources : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public ProcessEngine Processes(int? workers, TimeSpan? itemTimeout)
    {
        var options = new ProcessEngineOptions { ForwardWorkerOutput = false, ItemTimeout = itemTimeout };
        if (workers is { } n)
        {
            options.MaxWorkers = n;
        }

        var engine = new ProcessEngine(options);
        _owned.Add(engine);
        return engine;
    }

    public async Task<ClusterEngine> ClusterAsync(ClusterConnectionOptions options, ClusterEngineOptions engineOptions, CancellationToken cancellationToken)
    {
        ClusterConnection connection;
        try
        {
            connection = await ClusterConnection.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            var hint = options.Membership is null ? "start silos with 'brigade silo', or give --gateway PORT or --membership URI" : "are silos started with the same --membership and --cluster-id?";
            throw new CliUsageException($"--engine cluster: {e.Message} ({hint})");
        }

        _owned.Add(connection);
        return await ClusterEngine.ConnectAsync(connection.Client, engineOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
