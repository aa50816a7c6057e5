namespace Brigade.Samples.NativeAotApp;

/// <summary>A priced order line: travels back as JSON.</summary>
/// <param name="Sku">The article.</param>
/// <param name="Total">The price of the line after the volume discount.</param>
/// <param name="WorkerProcessId">The worker process that priced it.</param>
public sealed record Quote(string Sku, decimal Total, int WorkerProcessId);
