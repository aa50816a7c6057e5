using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>Asks every active silo, through its first worker slot, who it is and whether it can run a work type.</summary>
internal static class SiloProbe
{
    public sealed record Result(SiloAddress Address, string Name, PrepareResponse? Response, string? Error);

    public static async Task<List<Result>> ProbeAsync(ClusterEngine engine, PrepareRequest request, Guid runId, CancellationToken cancellationToken)
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await engine.GrainFactory.GetGrain<IManagementGrain>(0)
                .GetHosts(onlyActive: true, cancellationToken)
                .WaitAsync(engine.Options.PrepareTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"The cluster's membership could not be read: {e.GetType().Name}: {e.Message}", e);
        }

        if (hosts.Count == 0)
        {
            throw new ClusterUnavailableException("The cluster has no active silo.");
        }

        var probes = hosts.Keys.Select(silo => ProbeOneAsync(engine, silo, runId, request, cancellationToken)).ToList();
        var results = (await Task.WhenAll(probes).ConfigureAwait(false)).ToList();
        foreach (var r in results.Where(r => r.Error is not null))
        {
            ClusterLog.SiloSkipped(engine.Logger, runId, r.Name, r.Error!);
        }

        return results;
    }

    private static async Task<Result> ProbeOneAsync(ClusterEngine engine, SiloAddress silo, Guid runId, PrepareRequest request, CancellationToken cancellationToken)
    {
        var name = silo.Endpoint.ToString();
        try
        {
            var response = await engine.Slot(silo, runId, 0).PrepareAsync(request)
                .WaitAsync(engine.Options.PrepareTimeout, cancellationToken)
                .ConfigureAwait(false);
            if (response.SiloAddress != silo.ToParsableString())
            {
                // The silo was leaving: its slot was placed elsewhere. It is not part of this run.
                return new Result(silo, name, null, $"the silo is leaving the cluster (its worker was placed on {response.Silo})");
            }

            return new Result(silo, name, response, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutException)
        {
            return new Result(silo, name, null, $"no answer within {engine.Options.PrepareTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e)
        {
            return new Result(silo, name, null, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
