namespace Brigade.Workloads;

/// <summary>How big the workloads are.</summary>
internal enum WorkloadScale
{
    /// <summary>The smallest size that still classifies reliably: tests (each workload well under a second).</summary>
    Test,

    /// <summary><c>demo --quick</c> and <c>advise --quick</c>: the whole suite in a few seconds.</summary>
    Quick,

    /// <summary>Benchmarks and <c>advise</c>: long enough for profiling overhead to show against run time.</summary>
    Full,
}
