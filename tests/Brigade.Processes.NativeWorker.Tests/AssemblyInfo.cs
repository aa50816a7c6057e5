// Tests start and kill real processes: one at a time keeps them independent on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
