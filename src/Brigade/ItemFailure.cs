namespace Brigade;

/// <summary>An item whose work threw: its position in the input and the exception.</summary>
/// <param name="Index">The zero-based position of the item in the input sequence.</param>
/// <param name="Exception">The exception the work threw for that item.</param>
public sealed record ItemFailure(long Index, Exception Exception)
{
    /// <summary>Returns <c>item INDEX: ExceptionType: message</c>.</summary>
    public override string ToString() => $"item {Index}: {Exception.GetType().Name}: {Exception.Message}";
}
