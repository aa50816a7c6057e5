
namespace Brigade.Orleans.Protocol;

/// <summary>An exception as data: type name, message, stack trace and inner exception. Exceptions never cross as objects.</summary>
[GenerateSerializer, Immutable, Alias("brigade.remote-error.v1")]
internal sealed class RemoteError
{
    private const int MaxInnerDepth = 8;

    /// <summary>Gets the full name of the exception's type.</summary>
    [Id(0)]
    public string Type { get; init; } = typeof(Exception).FullName!;

    /// <summary>Gets the message.</summary>
    [Id(1)]
    public string Message { get; init; } = "";

    /// <summary>Gets the stack trace, when there was one.</summary>
    [Id(2)]
    public string? StackTrace { get; init; }

    /// <summary>Gets the inner exception, carried the same way.</summary>
    [Id(3)]
    public RemoteError? Inner { get; init; }

    /// <summary>Describes an exception (and up to eight inner exceptions).</summary>
    public static RemoteError From(Exception exception, int depth = 0) => new()
    {
        Type = exception.GetType().FullName ?? exception.GetType().Name,
        Message = exception.Message,
        StackTrace = exception.StackTrace,
        Inner = exception.InnerException is { } inner && depth < MaxInnerDepth ? From(inner, depth + 1) : null,
    };

    /// <summary>Rebuilds the exception on the caller's side as a <see cref="RemoteWorkException"/>.</summary>
    public RemoteWorkException ToException(string? location) =>
        new(Type, Message, StackTrace, location, Inner?.ToException(location));
}
