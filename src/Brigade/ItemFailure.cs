namespace Brigade;

/// <summary>An item whose work threw: its position in the input and the exception.</summary>
/// <param name="Index">The zero-based position of the item in the input sequence.</param>
/// <param name="Exception">The exception the work threw for that item.</param>
public sealed record ItemFailure(long Index, Exception Exception)
{
    /// <summary>Gets how many times the item was tried: 1, or more with <see cref="RunOptions.ItemRetry"/>; the exception is the last attempt's.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Returns <c>item INDEX: ExceptionType: message</c>, with the types of an aggregate's inner exceptions
    /// after it (<c>[inner: TypeA, TypeB]</c>), and for an exception that only wraps another (a static constructor's
    /// <see cref="TypeInitializationException"/>, a <see cref="System.Reflection.TargetInvocationException"/>) the cause it
    /// wraps (<c> ---&gt; InnerType: message</c>, as <c>brigade run</c>'s failures file since review 47). For an exception
    /// thrown in another process or on another machine (<see cref="RemoteWorkException"/>), the type is the original one's.</summary>
    public override string ToString() => $"item {Index}: {Describe()}";

    /// <summary>The error as <see cref="ToString"/> gives it, without the item: what a report's failure table shows.</summary>
    internal string Describe() => Describe(brief: false);

    /// <summary><see cref="ToString"/>, each message cut as <see cref="Internal.ExceptionText.Brief"/> cuts it: a failure
    /// quoted in another exception's message.</summary>
    internal string ToBriefString() => $"item {Index}: {Describe(brief: true)}";

    private string Describe(bool brief)
    {
        string Text(Exception e) => brief ? Internal.ExceptionText.Brief(e) : Internal.ExceptionText.Message(e);
        var text = $"{TypeName(Exception)}: {Text(Exception)}";
        var inners = Exception switch
        {
            RemoteWorkException { InnerExceptions.Count: > 1 } remote => remote.InnerExceptions.Select(TypeName),
            AggregateException { InnerExceptions.Count: > 1 } aggregate => aggregate.InnerExceptions.Select(TypeName),
            _ => null,
        };
        if (inners is not null)
        {
            return $"{text} [inner: {string.Join(", ", inners)}]";
        }

        // A wrapper's own message says nothing of the cause (lib58: "The type initializer for 'NeedsConfig' threw an
        // exception." on every item, the missing setting only in the inner exception): the innermost cause is named, in
        // the form brigade run's failures file gives it (TypedWork.Cause, review 47).
        var cause = Exception;
        while (IsWrapper(cause) && cause.InnerException is { } inner)
        {
            cause = inner;
        }

        return cause == Exception ? text : $"{text} ---> {TypeName(cause)}: {Text(cause)}";
    }

    private static bool IsWrapper(Exception exception) =>
        TypeName(exception) is nameof(TypeInitializationException) or nameof(System.Reflection.TargetInvocationException);

    private static string TypeName(Exception exception) =>
        exception is RemoteWorkException remote ? remote.RemoteType[(remote.RemoteType.LastIndexOf('.') + 1)..] : exception.GetType().Name;
}
