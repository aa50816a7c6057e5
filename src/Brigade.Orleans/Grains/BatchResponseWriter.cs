using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Grains;

/// <summary>Turns the remote kit's result chunk into a grain's <see cref="BatchResponse"/>: a silo sends one chunk per
/// batch (no mid-batch flush; a lost silo's batch is run again whole), so the one chunk is the whole response.</summary>
internal sealed class BatchResponseWriter(string silo) : IRemoteResultWriter
{
    public BatchResponse? Response { get; private set; }

    public void WriteChunk(in RemoteResultChunk chunk)
    {
        ItemError[]? errors = null;
        if (chunk.Failures.Count > 0)
        {
            errors = new ItemError[chunk.Failures.Count];
            for (var i = 0; i < errors.Length; i++)
            {
                var failure = chunk.Failures[i];
                errors[i] = new ItemError { Offset = failure.Offset, Error = RemoteErrorData.From(failure.Error), Attempts = chunk.ReportsAttempts ? failure.Attempts : 0 };
            }
        }

        Response = new BatchResponse
        {
            Silo = silo,
            Ran = chunk.Offset + chunk.Count,
            Results = chunk.SucceededCount > 0 ? chunk.Values.ToArray() : [],
            Errors = errors,
            CpuTicks = chunk.CpuTicks,
            ElapsedTicks = chunk.ElapsedTicks,
        };
    }

    /// <summary>Returns the response with the run-queue wait its thread measured around the batch (ticks, or -1).</summary>
    public BatchResponse WithRunQueue(long ticks) => ticks < 0 || Response is not { } response
        ? Response!
        : response with { RunQueueTicks = ticks };
}
