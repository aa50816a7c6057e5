using System.Reflection;

namespace Brigade.Processes.NativeWorker.Tests;

internal static class TestWorker
{
    /// <summary>Gets the test worker executable (a framework-dependent apphost), built before the tests.</summary>
    public static string Path { get; } = Metadata("TestWorker");

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static ProcessEngine Engine(Action<ProcessEngineOptions>? configure = null)
    {
        var options = new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false, WorkerPath = Path };
        configure?.Invoke(options);
        return new ProcessEngine(options);
    }

    public static RunOptions Run(Engine engine, int? batchSize = null) => new() { Engine = engine, BatchSize = batchSize };

    private static string Metadata(string key) =>
        System.IO.Path.GetFullPath(typeof(TestWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);
}
