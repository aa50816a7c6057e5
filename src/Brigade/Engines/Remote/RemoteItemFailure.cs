namespace Brigade.Engines.Remote;

/// <summary>A failed item of a remote batch.</summary>
/// <param name="Offset">The item's offset within its batch.</param>
/// <param name="Error">The last attempt's exception, as data.</param>
/// <param name="Attempts">How many times the item was tried (<see cref="ItemFailure.Attempts"/>).</param>
internal readonly record struct RemoteItemFailure(int Offset, RemoteError Error, int Attempts);
