using System.Diagnostics.CodeAnalysis;

namespace Brigade;

/// <summary>The outcome of one item: its index, and either its value or the exception its work threw.</summary>
/// <typeparam name="T">The type of the work's result.</typeparam>
public readonly struct ItemResult<T> : IEquatable<ItemResult<T>>
{
    /// <summary>Initializes an outcome.</summary>
    /// <param name="index">The zero-based position of the item in the input.</param>
    /// <param name="status">How the item ended.</param>
    /// <param name="value">The value, when <paramref name="status"/> is <see cref="ItemStatus.Succeeded"/>.</param>
    /// <param name="exception">The exception, when <paramref name="status"/> is <see cref="ItemStatus.Failed"/>.</param>
    public ItemResult(long index, ItemStatus status, T? value, Exception? exception)
    {
        Index = index;
        Status = status;
        Value = value;
        Exception = exception;
    }

    /// <summary>Gets the zero-based position of the item in the input.</summary>
    public long Index { get; }

    /// <summary>Gets how the item ended.</summary>
    public ItemStatus Status { get; }

    /// <summary>Gets the value the work returned; <see langword="default"/> unless <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>Gets the exception the work threw, if it failed.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets whether the work returned a value.</summary>
    [MemberNotNullWhen(false, nameof(Exception))]
    public bool IsSuccess => Status == ItemStatus.Succeeded;

    /// <summary>Creates a successful outcome.</summary>
    /// <param name="index">The item's index.</param>
    /// <param name="value">The value.</param>
    /// <returns>The outcome.</returns>
    public static ItemResult<T> Success(long index, T value) => new(index, ItemStatus.Succeeded, value, null);

    /// <summary>Creates a failed outcome.</summary>
    /// <param name="index">The item's index.</param>
    /// <param name="exception">The exception.</param>
    /// <returns>The outcome.</returns>
    public static ItemResult<T> Failure(long index, Exception exception) => new(index, ItemStatus.Failed, default, exception);

    /// <inheritdoc/>
    public bool Equals(ItemResult<T> other) =>
        Index == other.Index && Status == other.Status &&
        EqualityComparer<T?>.Default.Equals(Value, other.Value) && ReferenceEquals(Exception, other.Exception);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ItemResult<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Index, Status, Value, Exception);

    /// <summary>Compares two outcomes.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(ItemResult<T> left, ItemResult<T> right) => left.Equals(right);

    /// <summary>Compares two outcomes.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ItemResult<T> left, ItemResult<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Status switch
    {
        ItemStatus.Succeeded => $"item {Index}: {Value}",
        ItemStatus.Failed => $"item {Index} failed: {Exception?.GetType().Name}: {(Exception is null ? null : Internal.ExceptionText.Message(Exception))}",
        _ => $"item {Index}: not run",
    };
}
