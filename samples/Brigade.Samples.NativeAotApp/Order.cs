namespace Brigade.Samples.NativeAotApp;

/// <summary>An order line to price: travels to the worker as JSON.</summary>
/// <param name="Sku">The article.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">The price of one.</param>
public sealed record Order(string Sku, int Quantity, decimal UnitPrice);
