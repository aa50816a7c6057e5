// Each test compiles C# in memory: parallel collections would only compete for the machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = false, MaxParallelThreads = 2)]
