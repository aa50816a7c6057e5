namespace Brigade.Auto;

/// <summary>The plan cache file: a version and the plans by key (machine and work).</summary>
internal sealed class PlanCacheDocument
{
    public int Version { get; set; } = PlanCache.FormatVersion;

    public Dictionary<string, PlanCacheEntry> Plans { get; set; } = [];
}
