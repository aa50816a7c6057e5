namespace Brigade.Samples.NativeAotApp;

/// <summary>Prices an order line (10% off from 100 units). Runs in a worker process; reports which one.</summary>
[WorkSerializer(typeof(AppJson))]
public sealed class PriceWork : IWork<Order, Quote>
{
    /// <inheritdoc/>
    public Quote Execute(Order input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var total = input.Quantity * input.UnitPrice * (input.Quantity >= 100 ? 0.9m : 1m);
        return new Quote(input.Sku, total, Environment.ProcessId);
    }
}
