using System.Collections;

namespace Brigade.Tests.Infrastructure;

/// <summary>An <see cref="IReadOnlyList{T}"/> that is not an <see cref="IList{T}"/>, to reach the read-only-list source.</summary>
internal sealed class ReadOnlyListOnly<T>(T[] items) : IReadOnlyList<T>
{
    public int Count => items.Length;

    public T this[int index] => items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
