// The race detector and the explorer install process-wide hooks: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
