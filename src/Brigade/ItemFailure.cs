namespace Brigade;

/// <summary>An item whose work threw: its position in the input and the exception.</summary>
/// <param name="Index">The zero-based position of the item in the input sequence.</param>
/// <param name="Exception">The exception the work threw for that item.</param>
public sealed record ItemFailure(long Index, Exception Exception)
{
    /// <summary>Gets how many times the item was tried: 1, or more with <see cref="RunOptions.ItemRetry"/>; the exception is the last attempt's.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Returns <c>item INDEX: ExceptionType: message</c>.</summary>
    public override string ToString() => $"item {Index}: {Exception.GetType().Name}: {Internal.ExceptionText.Message(Exception)}";
}
