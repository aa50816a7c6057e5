namespace Brigade.Cli.Run;

/// <summary>The results of a <see cref="JobWork"/> run as they are delivered, and the run's report once it ends.</summary>
internal sealed class JobStream(IAsyncEnumerable<ItemResult<byte[]>> results, Func<RunReport?> report)
{
    public IAsyncEnumerable<ItemResult<byte[]>> Results => results;

    public RunReport? Report => report();
}
