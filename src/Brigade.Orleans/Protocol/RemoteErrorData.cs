using Brigade.Engines.Remote;

namespace Brigade.Orleans.Protocol;

/// <summary>The remote kit's <see cref="RemoteError"/> on the cluster's wire: type name, message, stack trace and inner
/// exception. Exceptions never cross as objects.</summary>
[GenerateSerializer, Immutable, Alias("brigade.remote-error.v1")]
internal sealed class RemoteErrorData
{
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
    public RemoteErrorData? Inner { get; init; }

    public static RemoteErrorData From(RemoteError error) => new()
    {
        Type = error.Type,
        Message = error.Message,
        StackTrace = error.StackTrace,
        Inner = error.Inner is { } inner ? From(inner) : null,
    };

    public RemoteError ToError() => new(Type, Message, StackTrace, Inner?.ToError());
}
