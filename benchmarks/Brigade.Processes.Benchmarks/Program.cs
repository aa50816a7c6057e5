using BenchmarkDotNet.Running;
using Brigade.Processes.Benchmarks;

// dotnet run -c Release --project benchmarks/Brigade.Processes.Benchmarks -- compare [--items N] [--repeat R]
//     the .NET half of benchmarks/processes/compare.py: one JSON document of wall-clock measurements
// dotnet run -c Release --project benchmarks/Brigade.Processes.Benchmarks -- cold --worker PATH [--repeat R] [--native-first]
//     first result from a cold pool, the shipped worker host against a worker executable (benchmarks/processes/cold_paired.py --native)
// dotnet run -c Release --project benchmarks/Brigade.Processes.Benchmarks -- first [--type long|string|record] [--worker PATH]
//     the first pool of a new process, JIT time and CPU to its first result (benchmarks/processes/first_pool.py)
// dotnet run -c Release --project benchmarks/Brigade.Processes.Benchmarks -- large [--type bytes|string|tiny] [--items N] [--mb M]
//     N items each returning M MB from a worker: wall, parent CPU, allocated bytes and peak RSS (LargeResults.cs)
// dotnet run -c Release --project benchmarks/Brigade.Processes.Benchmarks -- --filter '*'
//     BenchmarkDotNet: per-item cost with a warm pool
if (args.Length > 0 && args[0] == "compare")
{
    return await Comparison.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "first")
{
    return await FirstPool.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "large")
{
    return await LargeResults.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "cold")
{
    return await ColdWorkers.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
