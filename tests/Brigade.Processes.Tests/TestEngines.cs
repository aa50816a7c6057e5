namespace Brigade.Processes.Tests;

internal static class TestEngines
{
    public static ProcessEngine Create(Action<ProcessEngineOptions>? configure = null)
    {
        // A worker's start took 55 s at load 60 (flake54), past the engine's default StartTimeout of 30 s: a test whose point
        // is not start-up would fail with a WorkerStartException it is not about. Tests of the start timeout set their own.
        var options = new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false, StartTimeout = TimeSpan.FromSeconds(120) };
        configure?.Invoke(options);
        return new ProcessEngine(options);
    }

    public static RunOptions Run(Engine engine, int? batchSize = null) => new() { Engine = engine, BatchSize = batchSize };
}
