using System.Runtime;

namespace Brigade.Processes.Worker;

/// <summary>Gives a worker's memory back to the machine after a large result (lib57).</summary>
internal static class WorkerMemory
{
    /// <summary>
    /// A full, compacting, aggressive collection, the large object heap included: the buffers a result of hundreds of
    /// megabytes grew were let go when it was sent, but an idle worker allocates nothing, so nothing collected them and
    /// it stayed at 1.5 GB resident until its next run. Called only when a buffer of 64 MiB or more was let go and the
    /// worker is idle; an ordinary result never pays for it.
    /// </summary>
    public static void GiveBack()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
