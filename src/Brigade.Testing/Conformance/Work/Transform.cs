namespace Brigade.Testing.Conformance.Work;

/// <summary>The conformance suite's synchronous work: <c>Value * 3 + 1</c>, with the item's hold and failure.</summary>
/// <remarks>Public, with a parameterless constructor, so engines that run items elsewhere recreate it by name.</remarks>
public sealed class Transform : IWork<ConformanceItem, int>
{
    /// <inheritdoc/>
    public int Execute(ConformanceItem input) => ConformanceWork.Run(input);
}
