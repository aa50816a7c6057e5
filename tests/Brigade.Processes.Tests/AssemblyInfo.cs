// Test classes run two at a time (xunit's default, one per core): most of this project's wall time is waiting (item
// timeouts, grace periods, idle timeouts, workers' start-ups), which another class's test can use. Every test counts
// only its own engine's workers and pids, so they stay independent. A test that replaces something the whole process
// shares (standard error) is in the ProcessWide collection, which runs alone.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, DisableTestParallelization = false)]
