namespace Brigade.Testing.Conformance.Work;

/// <summary>The conformance suite's work for map-reduce with a non-commutative combiner: the item's value as text.</summary>
/// <remarks>Public, with a parameterless constructor, so engines that run items elsewhere recreate it by name.</remarks>
public sealed class ToText : IWork<ConformanceItem, string>
{
    /// <inheritdoc/>
    public string Execute(ConformanceItem input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ConformanceWork.Run(input);
        return input.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
