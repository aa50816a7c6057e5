using Brigade.Cluster.Benchmarks;

// dotnet run -c Release --project benchmarks/Brigade.Cluster.Benchmarks            (the cluster benchmark)
// The program also runs each silo of the benchmark cluster, as `cluster-silo PORT GATEWAY PRIMARY`.
return args is ["cluster-silo", ..]
    ? await ClusterBenchmark.RunSiloAsync(args)
    : await ClusterBenchmark.RunAsync();
