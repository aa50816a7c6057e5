using System.Runtime.CompilerServices;

namespace Brigade.Tests.Infrastructure;

/// <summary>Builds inputs of every shape, including lazy, failing and endless ones.</summary>
internal static class Inputs
{
    public static IEnumerable<T> Enumerable<T>(InputShape shape, T[] items) => shape switch
    {
        InputShape.Array => (T[])items.Clone(),
        InputShape.List => new List<T>(items),
        InputShape.ReadOnlyList => new ReadOnlyListOnly<T>(items),
        InputShape.Collection => new CollectionOnly<T>(items),
        InputShape.LazyEnumerable => Lazy(items),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Not a synchronous shape."),
    };

    /// <summary>A lazy sequence: no count known up front, read only by enumeration.</summary>
    public static IEnumerable<T> Lazy<T>(T[] items)
    {
        foreach (var item in items)
        {
            yield return item;
        }
    }

    /// <summary>An asynchronous sequence that sometimes completes synchronously and sometimes really waits.</summary>
    public static async IAsyncEnumerable<T> Async<T>(T[] items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (i % 3 == 0)
            {
                await Task.Yield();
            }

            yield return items[i];
        }
    }

    /// <summary>Yields 0 .. <paramref name="count"/>-1, then throws <paramref name="error"/>.</summary>
    public static IEnumerable<int> ThrowingAfter(int count, Exception error)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        throw error;
    }

    /// <summary>Yields 0 .. <paramref name="count"/>-1 asynchronously, then throws <paramref name="error"/>.</summary>
    public static async IAsyncEnumerable<int> ThrowingAfterAsync(int count, Exception error, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }

        throw error;
    }
}
