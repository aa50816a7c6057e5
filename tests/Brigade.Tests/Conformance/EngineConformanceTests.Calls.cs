using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// Dispatch one logical call to the Runner overload that matches the input shape and the kind of work.
public abstract partial class EngineConformanceTests
{
    /// <summary>Turns synchronous work into asynchronous work that really yields on every other item.</summary>
    protected static Func<int, CancellationToken, ValueTask<T>> AsAsync<T>(Func<int, T> work) => async (x, _) =>
    {
        if (x % 2 == 0)
        {
            await Task.Yield();
        }

        return work(x);
    };

    protected static Task<RunResult<T>> MapAsync<T>(InputShape shape, int[] items, bool asyncWork, Func<int, T> work, RunOptions options, CancellationToken cancellationToken = default)
    {
        if (shape == InputShape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.MapAsync(source, AsAsync(work), options, cancellationToken) : Runner.MapAsync(source, work, options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.MapAsync(input, AsAsync(work), options, cancellationToken) : Runner.MapAsync(input, work, options, cancellationToken);
    }

    protected static RunStream<T> StreamAsync<T>(InputShape shape, int[] items, bool asyncWork, Func<int, T> work, RunOptions options)
    {
        if (shape == InputShape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.StreamAsync(source, AsAsync(work), options) : Runner.StreamAsync(source, work, options);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.StreamAsync(input, AsAsync(work), options) : Runner.StreamAsync(input, work, options);
    }

    protected static Task<RunReport> ForEachAsync(InputShape shape, int[] items, bool asyncWork, Action<int> work, RunOptions options, CancellationToken cancellationToken = default)
    {
        Func<int, CancellationToken, ValueTask> asyncAction = async (x, _) =>
        {
            if (x % 2 == 0)
            {
                await Task.Yield();
            }

            work(x);
        };

        if (shape == InputShape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.ForEachAsync(source, asyncAction, options, cancellationToken) : Runner.ForEachAsync(source, work, options, cancellationToken);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.ForEachAsync(input, asyncAction, options, cancellationToken) : Runner.ForEachAsync(input, work, options, cancellationToken);
    }

    protected static Task<ReduceResult<T>> MapReduceAsync<T>(InputShape shape, int[] items, bool asyncWork, Func<int, T> map, Func<T, T, T> combine, RunOptions options)
    {
        if (shape == InputShape.AsyncEnumerable)
        {
            var source = Inputs.Async(items, CancellationToken.None);
            return asyncWork ? Runner.MapReduceAsync(source, AsAsync(map), combine, options) : Runner.MapReduceAsync(source, map, combine, options);
        }

        var input = Inputs.Enumerable(shape, items);
        return asyncWork ? Runner.MapReduceAsync(input, AsAsync(map), combine, options) : Runner.MapReduceAsync(input, map, combine, options);
    }

    /// <summary>Reads a whole stream, bounded in time.</summary>
    protected static async Task<List<ItemResult<T>>> ReadAllAsync<T>(RunStream<T> stream)
    {
        var results = new List<ItemResult<T>>();
        await foreach (var r in stream)
        {
            results.Add(r);
        }

        return results;
    }
}
