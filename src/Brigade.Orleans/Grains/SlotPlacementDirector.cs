using Orleans.Runtime.Placement;

namespace Brigade.Orleans.Grains;

/// <summary>
/// Places a worker grain on the silo named in its key. When that silo is no longer in the cluster (it left between the
/// engine's membership check and this activation), the grain goes to any compatible silo: the batch still runs, and the
/// response says where, so the report stays true.
/// </summary>
internal sealed class SlotPlacementDirector : IPlacementDirector
{
    /// <summary>
    /// Tests only (null otherwise): given a grain's key, the silo placing it and the compatible silos, a silo to place the
    /// grain on whatever its key names, or null to place it as usual. Forces what load does now and then: a grain placed
    /// while the silo it names was not yet among the compatible ones (review 69).
    /// </summary>
    internal static volatile Func<string, SiloAddress, SiloAddress[], SiloAddress?>? Misplace;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var key = target.GrainIdentity.Key.ToString();
        if (Misplace is { } misplace && key is not null && misplace(key, context.LocalSilo, compatible) is { } elsewhere)
        {
            return Task.FromResult(elsewhere);
        }

        if (key is not null && SlotKey.TryGetSilo(key, out var silo) && Array.IndexOf(compatible, silo) >= 0)
        {
            return Task.FromResult(silo);
        }

        var spread = (uint)StringComparer.Ordinal.GetHashCode(key ?? "");
        return Task.FromResult(compatible[spread % (uint)compatible.Length]);
    }
}
