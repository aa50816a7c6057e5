namespace Brigade.Orleans;

/// <summary>Where a cluster's silos record who is in the cluster (Orleans' membership table).</summary>
public enum ClusterMembershipKind
{
    /// <summary>A Redis server (Orleans' <c>Microsoft.Orleans.Clustering.Redis</c> provider).</summary>
    Redis,

    /// <summary>A PostgreSQL database (Orleans' ADO.NET provider, <c>Microsoft.Orleans.Clustering.AdoNet</c>, with Npgsql).</summary>
    Postgres,
}
