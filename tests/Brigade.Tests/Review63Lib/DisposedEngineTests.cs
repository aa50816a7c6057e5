using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review63Lib;

/// <summary>
/// lib63: a run on an engine already disposed (a run after the engine's <c>using</c> block, a user's bug) threw
/// <see cref="RunFailedException"/>; it now throws the <see cref="ObjectDisposedException"/> .NET users expect, naming the
/// engine. Nothing was read, so nothing is lost.
/// </summary>
public sealed class DisposedEngineTests
{
    [Fact(Timeout = 60_000)]
    public async Task MapAndMapReduce_OnAnEngineDisposedBeforeTheRun_ThrowObjectDisposedExceptionNamingIt()
    {
        var engine = new DisposableEngine();
        engine.Dispose();
        var options = new RunOptions { Engine = engine };

        var map = await Assert.ThrowsAsync<ObjectDisposedException>(() => Runner.MapAsync(new[] { 1, 2, 3 }, x => x, options).Bounded());
        Assert.Contains(nameof(DisposableEngine), map.ObjectName, StringComparison.Ordinal);
        var reduce = await Assert.ThrowsAsync<ObjectDisposedException>(() => Runner.MapReduceAsync(new[] { 1, 2, 3 }, x => x, (a, b) => a + b, options).Bounded());
        Assert.Contains(nameof(DisposableEngine), reduce.ObjectName, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Runner.ForEachAsync(new[] { 1, 2, 3 }, _ => { }, options).Bounded());
    }

    // An engine of a user's own that is disposable, as ProcessEngine is: once disposed, it fails a run before reading any item.
    private sealed class DisposableEngine : Engine, IDisposable
    {
        private bool _disposed;

        public override string Name => "disposable";

        public override int GetDefaultDegreeOfParallelism() => 1;

        public void Dispose() => _disposed = true;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new NotSupportedException("only disposed in this test");
        }
    }
}
