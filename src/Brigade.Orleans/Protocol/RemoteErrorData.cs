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

    /// <summary>Gets every inner exception of an aggregate (<see cref="Inner"/> is the first), or <see langword="null"/>.</summary>
    /// <remarks>Review 43: a new field, which Orleans' version-tolerant serializer lets an older engine or silo skip (it
    /// then sees the first inner exception only, as before), so <see cref="ClusterProtocol.Version"/> stays.</remarks>
    [Id(4)]
    public RemoteErrorData[]? Inners { get; init; }

    public static RemoteErrorData From(RemoteError error) => new()
    {
        Type = error.Type,
        Message = error.Message,
        StackTrace = error.StackTrace,
        Inner = error.Inner is { } inner ? From(inner) : null,
        Inners = error.Inners is { Count: > 0 } inners ? [.. inners.Select(From)] : null,
    };

    public RemoteError ToError() => new(Type, Message, StackTrace, Inner?.ToError())
    {
        Inners = Inners is { Length: > 0 } inners ? [.. inners.Select(i => i.ToError())] : null,
    };
}
