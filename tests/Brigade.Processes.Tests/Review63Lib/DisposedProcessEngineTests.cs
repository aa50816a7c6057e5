namespace Brigade.Processes.Tests.Review63Lib;

/// <summary>
/// lib63: a run on a <see cref="ProcessEngine"/> already disposed threw <see cref="RunFailedException"/>; a user's bug now
/// gets the <see cref="ObjectDisposedException"/> .NET users expect, naming the engine. No worker starts.
/// </summary>
public sealed class DisposedProcessEngineTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_OnADisposedProcessEngine_ThrowsObjectDisposedException()
    {
        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 1 });
        await engine.DisposeAsync();
        var options = new RunOptions { Engine = engine };

        var map = await Assert.ThrowsAsync<ObjectDisposedException>(() => Runner.MapAsync(new[] { 1, 2 }, new Doubler(), options).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(nameof(ProcessEngine), map.ObjectName, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Runner.MapReduceAsync(new[] { 1, 2 }, new Doubler(), (a, b) => a + b, options).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(engine.GetWorkerProcessIds());
    }
}
