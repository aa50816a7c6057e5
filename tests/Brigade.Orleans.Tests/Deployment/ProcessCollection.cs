namespace Brigade.Orleans.Tests.Deployment;

/// <summary>Tests that kill, stop or cut off silo processes mid-run (with Redis and PostgreSQL membership) run one at a time:
/// on two cores, side by side they would measure each other's load rather than the cluster's failover.</summary>
[CollectionDefinition("processes")]
public sealed class ProcessCollection;
