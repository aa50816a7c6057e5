using System.Collections;
using System.Runtime.CompilerServices;

namespace Brigade.Testing.Conformance;

/// <summary>The inputs of the cases, in every shape a run accepts.</summary>
internal static class Inputs
{
    public static readonly Shape[] Shapes = Enum.GetValues<Shape>();

    public static IEnumerable<T> Enumerable<T>(Shape shape, T[] items) => shape switch
    {
        Shape.Array => (T[])items.Clone(),
        Shape.List => new List<T>(items),
        Shape.ReadOnlyList => new ReadOnlyListOnly<T>(items),
        Shape.Collection => new CollectionOnly<T>(items),
        Shape.LazyEnumerable => Lazy(items),
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

    /// <summary>Yields the items, then throws <paramref name="error"/>.</summary>
    public static IEnumerable<T> ThrowingAfter<T>(T[] items, Exception error)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        throw error;
    }

    /// <summary>Yields the items asynchronously, then throws <paramref name="error"/>.</summary>
    public static async IAsyncEnumerable<T> ThrowingAfterAsync<T>(T[] items, Exception error, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }

        throw error;
    }

    /// <summary>An endless sequence: <paramref name="make"/>(0), (1), ...; counts how many were read.</summary>
    public static IEnumerable<T> Endless<T>(Func<int, T> make, StrongBox<long> read)
    {
        for (var i = 0; ; i++)
        {
            Interlocked.Increment(ref read.Value);
            yield return make(i);
        }
    }

    /// <summary>An endless asynchronous sequence that mostly completes synchronously, like a buffered reader.</summary>
    public static async IAsyncEnumerable<T> EndlessAsync<T>(Func<int, T> make, StrongBox<long> read, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            Interlocked.Increment(ref read.Value);
            if (i % 5 == 4)
            {
                await Task.Yield();
            }

            yield return make(i);
        }
    }

    /// <summary>Only <see cref="IReadOnlyList{T}"/>: the source's read-only-list path.</summary>
    private sealed class ReadOnlyListOnly<T>(T[] items) : IReadOnlyList<T>
    {
        public int Count => items.Length;

        public T this[int index] => items[index];

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Only <see cref="ICollection{T}"/> (a count, no indexer): the source's collection path.</summary>
    private sealed class CollectionOnly<T>(T[] items) : ICollection<T>
    {
        public int Count => items.Length;

        public bool IsReadOnly => true;

        public void Add(T item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Contains(T item) => items.Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => items.CopyTo(array, arrayIndex);

        public bool Remove(T item) => throw new NotSupportedException();

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
