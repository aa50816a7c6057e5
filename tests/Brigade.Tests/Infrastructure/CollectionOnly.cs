using System.Collections;

namespace Brigade.Tests.Infrastructure;

/// <summary>An <see cref="ICollection{T}"/> that is no list: its count is known, but it can only be enumerated.</summary>
internal sealed class CollectionOnly<T>(T[] items) : ICollection<T>
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
