using Brigade.Engines.Remote;

namespace Brigade.Orleans.Protocol;

/// <summary>The remote kit's <see cref="RemoteError"/> on the cluster's wire: type name, message, stack trace, inner
/// exceptions, and the exception's scalar properties and <see cref="Exception.Data"/> entries as text. Exceptions never
/// cross as objects.</summary>
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

    /// <summary>Gets the exception's public scalar properties as text (<see cref="RemoteError.Properties"/>), or <see langword="null"/>.</summary>
    /// <remarks>Review 60 (as for worker processes): a new field, skipped by an older engine or silo as <see cref="Inners"/> was.</remarks>
    [Id(5)]
    public KeyValuePair<string, string>[]? Properties { get; init; }

    /// <summary>Gets the exception's <see cref="Exception.Data"/> entries as text (<see cref="RemoteError.Data"/>), or <see langword="null"/>.</summary>
    [Id(6)]
    public KeyValuePair<string, string>[]? Data { get; init; }

    public static RemoteErrorData From(RemoteError error) => new()
    {
        Type = error.Type,
        Message = error.Message,
        StackTrace = error.StackTrace,
        Inner = error.Inner is { } inner ? From(inner) : null,
        Inners = error.Inners is { Count: > 0 } inners ? [.. inners.Select(From)] : null,
        Properties = error.Properties is { Count: > 0 } properties ? [.. properties] : null,
        Data = error.Data is { Count: > 0 } data ? [.. data] : null,
    };

    public RemoteError ToError() => new(Type, Message, StackTrace, Inner?.ToError())
    {
        Inners = Inners is { Length: > 0 } inners ? [.. inners.Select(i => i.ToError())] : null,
        Properties = Properties is { Length: > 0 } properties ? Bounded(properties) : null,
        Data = Data is { Length: > 0 } data ? Bounded(data) : null,
    };

    // What a silo sent is held to the same bounds as what a worker process sends (ExceptionFields): at most 16 entries, names
    // of 128 characters, values of 1,024.
    private static KeyValuePair<string, string>[] Bounded(KeyValuePair<string, string>[] pairs) =>
    [
        .. pairs.Take(ExceptionFields.MaxEntries).Select(p => new KeyValuePair<string, string>(
            p.Key is { Length: > ExceptionFields.MaxName } key ? key[..ExceptionFields.MaxName] : p.Key ?? "",
            ExceptionFields.Cut(p.Value ?? ""))),
    ];
}
