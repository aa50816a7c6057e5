using Brigade.Cluster.Benchmarks;

// dotnet run -c Release --project benchmarks/Brigade.Cluster.Benchmarks                      (two localhost silos)
// dotnet run -c Release --project benchmarks/Brigade.Cluster.Benchmarks -- failover [TRIALS]  (three hosts, Redis, kills)
// The program also runs each silo of the benchmark cluster, as `cluster-silo PORT GATEWAY PRIMARY [ADDRESS MEMBERSHIP CLUSTER]`.
return args switch
{
    ["cluster-silo", ..] => await ClusterBenchmark.RunSiloAsync(args),
    ["failover", ..] => await FailoverBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8),
    _ => await ClusterBenchmark.RunAsync(),
};
