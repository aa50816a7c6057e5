namespace Brigade.Testing.Conformance.Work;

/// <summary>
/// The conformance suite's work for variance: it maps <see cref="VariantItem"/> to <see cref="ConformanceItem"/>, and
/// the suite runs it as <c>IWork&lt;DerivedVariantItem, object&gt;</c>, which C# allows (<c>IWork&lt;in TIn, out TOut&gt;</c>).
/// Every engine must run it so, including those that recreate the work elsewhere.
/// </summary>
public sealed class Variant : IWork<VariantItem, ConformanceItem>
{
    /// <inheritdoc/>
    public ConformanceItem Execute(VariantItem input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ConformanceItem(ConformanceWork.Result(input.Value));
    }
}
