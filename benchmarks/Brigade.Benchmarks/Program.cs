using BenchmarkDotNet.Running;
using Brigade.Benchmarks;

// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- --filter '*'        (everything)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- --filter '*PerItem*'  (one class)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- auto                 (auto mode against hand-picked engines, side by side)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- forecast             (forecast speedup beside measured on the reference workloads)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- losses               (RunReport.Losses on the reference and built-in workloads)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- async                (asynchronous items per item: Engine.Async, ThreadPool, Parallel.ForEachAsync)
if (args.Length > 0 && args[0] == "async")
{
    return await AsyncItemsTable.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "losses")
{
    return await LossesTable.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "forecast")
{
    return await ForecastTable.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "auto")
{
    return await AutoModeComparison.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
