namespace Brigade.Processes.Tests;

internal static class TestEngines
{
    public static ProcessEngine Create(Action<ProcessEngineOptions>? configure = null)
    {
        var options = new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false };
        configure?.Invoke(options);
        return new ProcessEngine(options);
    }

    public static RunOptions Run(Engine engine, int? batchSize = null) => new() { Engine = engine, BatchSize = batchSize };
}
