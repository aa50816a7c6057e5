using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- --filter '*'        (everything)
// dotnet run -c Release --project benchmarks/Brigade.Benchmarks -- --filter '*PerItem*'  (one class)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
