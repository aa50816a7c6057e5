namespace Brigade.Engines.Remote;

/// <summary>Where a <see cref="RemoteItemExecutor"/> sends a batch's results: the transport's side of the remote item
/// loop (a Results frame on a worker's pipe, a grain's response).</summary>
internal interface IRemoteResultWriter
{
    /// <summary>Sends one chunk of consecutive items' outcomes. An exception here ends the batch and reaches the
    /// executor's caller (the transport is gone); it is never taken for an item's failure.</summary>
    void WriteChunk(in RemoteResultChunk chunk);
}
