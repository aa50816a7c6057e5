namespace Brigade.Testing.Conformance.Work;

/// <summary>The input type of <see cref="Variant"/>: a base type, so a run can pass items of a derived type (<see cref="DerivedVariantItem"/>).</summary>
/// <remarks>Public, with a parameterless constructor, so engines that run items elsewhere recreate it.</remarks>
public class VariantItem
{
    /// <summary>Gets or sets the item's value; <see cref="Variant"/>'s result holds <c>Value * 3 + 1</c>.</summary>
    public int Value { get; set; }
}
