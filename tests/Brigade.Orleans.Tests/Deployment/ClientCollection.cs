namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// Tests that start a silo of their own on 127.0.0.1 and check what a client is told (<c>brigade cluster status</c>, TLS):
/// one at a time, beside the <see cref="ProcessCollection"/>. No silo of theirs is killed and no failover is timed (their
/// bounds, 15 s and 40 s, are for a client's one-line answer), so the failover tests need not wait for them; the partition
/// tests cut off 127.0.0.3 only. The TLS tests share one silo (<see cref="TlsSilo"/>, started by the first of them).
/// </summary>
[CollectionDefinition("clients")]
public sealed class ClientCollection : ICollectionFixture<TlsSilo>;
