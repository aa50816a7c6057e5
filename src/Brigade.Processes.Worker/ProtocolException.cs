namespace Brigade.Processes;

/// <summary>The worker's own copy of the protocol error (the host's is public in Brigade.Processes).</summary>
internal sealed class ProtocolException(string message) : Exception(message);
