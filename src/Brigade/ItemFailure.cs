namespace Brigade;

/// <summary>An item whose work threw: its position in the input and the exception.</summary>
/// <param name="Index">The zero-based position of the item in the input sequence.</param>
/// <param name="Exception">The exception the work threw for that item.</param>
public sealed record ItemFailure(long Index, Exception Exception)
{
    /// <summary>Gets how many times the item was tried: 1, or more with <see cref="RunOptions.ItemRetry"/>; the exception is the last attempt's.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Returns <c>item INDEX: ExceptionType: message</c>, with the types of an aggregate's inner exceptions
    /// after it (<c>[inner: TypeA, TypeB]</c>). For an exception thrown in another process or on another machine
    /// (<see cref="RemoteWorkException"/>), the type is the original one's.</summary>
    public override string ToString() => $"item {Index}: {Describe()}";

    /// <summary>The error as <see cref="ToString"/> gives it, without the item: what a report's failure table shows.</summary>
    internal string Describe()
    {
        var text = $"{TypeName(Exception)}: {Internal.ExceptionText.Message(Exception)}";
        var inners = Exception switch
        {
            RemoteWorkException { InnerExceptions.Count: > 1 } remote => remote.InnerExceptions.Select(TypeName),
            AggregateException { InnerExceptions.Count: > 1 } aggregate => aggregate.InnerExceptions.Select(TypeName),
            _ => null,
        };
        return inners is null ? text : $"{text} [inner: {string.Join(", ", inners)}]";
    }

    private static string TypeName(Exception exception) =>
        exception is RemoteWorkException remote ? remote.RemoteType[(remote.RemoteType.LastIndexOf('.') + 1)..] : exception.GetType().Name;
}
