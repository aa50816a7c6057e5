namespace Brigade;

/// <summary>A run of consecutive items taken from a run's input: the index of the first and the items.</summary>
/// <typeparam name="T">The input item type.</typeparam>
/// <remarks>Engines receive batches from <see cref="EngineJob{TIn, TOut}"/>; a batch with no items means the input is exhausted.</remarks>
public readonly struct ItemBatch<T> : IEquatable<ItemBatch<T>>
{
    /// <summary>Initializes a batch.</summary>
    /// <param name="startIndex">The zero-based input index of the first item.</param>
    /// <param name="items">The items, in input order.</param>
    public ItemBatch(long startIndex, ReadOnlyMemory<T> items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        StartIndex = startIndex;
        Items = items;
    }

    /// <summary>Gets the zero-based input index of the first item.</summary>
    public long StartIndex { get; }

    /// <summary>Gets the items, in input order.</summary>
    public ReadOnlyMemory<T> Items { get; }

    /// <summary>Gets the number of items.</summary>
    public int Count => Items.Length;

    /// <summary>Gets whether the batch is empty, which signals the end of the input.</summary>
    public bool IsEmpty => Items.IsEmpty;

    /// <inheritdoc/>
    public bool Equals(ItemBatch<T> other) => StartIndex == other.StartIndex && Items.Equals(other.Items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ItemBatch<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StartIndex, Items);

    /// <summary>Compares two batches.</summary>
    /// <param name="left">The first batch.</param>
    /// <param name="right">The second batch.</param>
    /// <returns>Whether they cover the same items.</returns>
    public static bool operator ==(ItemBatch<T> left, ItemBatch<T> right) => left.Equals(right);

    /// <summary>Compares two batches.</summary>
    /// <param name="left">The first batch.</param>
    /// <param name="right">The second batch.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ItemBatch<T> left, ItemBatch<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Count == 1 ? $"item {StartIndex}" : $"items {StartIndex}-{StartIndex + Count - 1}";
}
