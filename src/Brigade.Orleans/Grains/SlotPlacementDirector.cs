using Orleans.Runtime.Placement;

namespace Brigade.Orleans.Grains;

/// <summary>
/// Places a worker grain on the silo named in its key. When that silo is no longer in the cluster (it left between the
/// engine's membership check and this activation), the grain goes to any compatible silo: the batch still runs, and the
/// response says where, so the report stays true.
/// </summary>
internal sealed class SlotPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var key = target.GrainIdentity.Key.ToString();
        if (key is not null && SlotKey.TryGetSilo(key, out var silo) && Array.IndexOf(compatible, silo) >= 0)
        {
            return Task.FromResult(silo);
        }

        var spread = (uint)StringComparer.Ordinal.GetHashCode(key ?? "");
        return Task.FromResult(compatible[spread % (uint)compatible.Length]);
    }
}
