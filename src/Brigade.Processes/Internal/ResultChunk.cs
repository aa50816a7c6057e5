namespace Brigade.Processes.Internal;

/// <summary>One Results frame, decoded: which items of the batch it covers and what the worker measured.</summary>
internal readonly record struct ResultChunk(int Offset, int Count, bool Final, TimeSpan Elapsed, TimeSpan? CpuTime, long WorkingSet);
