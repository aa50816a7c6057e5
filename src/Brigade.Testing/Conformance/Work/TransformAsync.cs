namespace Brigade.Testing.Conformance.Work;

/// <summary>The conformance suite's asynchronous work: <c>Value * 3 + 1</c>, yielding on even values, with the item's hold and failure.</summary>
/// <remarks>Public, with a parameterless constructor, so engines that run items elsewhere recreate it by name.</remarks>
public sealed class TransformAsync : IAsyncWork<ConformanceItem, int>
{
    /// <inheritdoc/>
    public ValueTask<int> ExecuteAsync(ConformanceItem input, CancellationToken cancellationToken) => ConformanceWork.RunAsync(input, cancellationToken);
}
