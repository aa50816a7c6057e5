using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>Runs batches for one prepared work type; created once per Prepare with the type's input and result types.</summary>
internal interface IBatchExecutor : IDisposable
{
    void Run(int batchId, byte flags, int count, ref PayloadReader items, BatchContext context);
}
