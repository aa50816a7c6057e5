namespace Brigade.Orleans.Protocol;

/// <summary>Whether a worker grain is running a batch, has finished it, or never saw it: how the engine finds lost responses.</summary>
[GenerateSerializer, Immutable, Alias("brigade.batch-progress.v1")]
internal sealed class BatchProgress
{
    /// <summary>Gets whether the grain received the batch.</summary>
    [Id(0)]
    public bool Seen { get; init; }

    /// <summary>Gets whether the batch is still running.</summary>
    [Id(1)]
    public bool Running { get; init; }

    /// <summary>Gets how long ago the batch finished, when it did.</summary>
    [Id(2)]
    public TimeSpan SinceFinished { get; init; }
}
