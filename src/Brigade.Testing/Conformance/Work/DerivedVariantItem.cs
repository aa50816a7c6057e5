namespace Brigade.Testing.Conformance.Work;

/// <summary>An input more derived than <see cref="Variant"/>'s: a run of these reaches the work as <see cref="VariantItem"/>.</summary>
public sealed class DerivedVariantItem : VariantItem
{
    /// <summary>Gets or sets a field the work does not know about; it does not travel to engines that run items elsewhere.</summary>
    public string? Tag { get; set; }
}
