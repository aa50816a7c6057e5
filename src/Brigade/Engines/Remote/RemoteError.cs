using Brigade.Internal;

namespace Brigade.Engines.Remote;

/// <summary>
/// An exception as data, the way it crosses to the engine from a worker process or a silo: its type's name, message,
/// stack trace and inner exceptions. Exception objects never cross (Brigade never deserializes arbitrary types); each
/// transport writes these four fields in its own encoding, and the engine rebuilds a <see cref="RemoteWorkException"/>.
/// </summary>
/// <param name="Type">The full name of the exception's type.</param>
/// <param name="Message">The message.</param>
/// <param name="StackTrace">The stack trace, when there was one.</param>
/// <param name="Inner">The inner exception, carried the same way; at most <see cref="MaxDepth"/> levels in all.</param>
internal sealed record RemoteError(string Type, string Message, string? StackTrace, RemoteError? Inner)
{
    /// <summary>How many levels (the exception and its inner exceptions) are carried.</summary>
    public const int MaxDepth = 8;

    /// <summary>Describes <paramref name="exception"/> and up to <see cref="MaxDepth"/> - 1 inner exceptions.</summary>
    public static RemoteError From(Exception exception) => From(exception, 0);

    /// <summary>Rebuilds the exception on the engine's side; <paramref name="location"/> names where it ran (a worker, a silo).</summary>
    public RemoteWorkException ToException(string? location) =>
        new(string.IsNullOrEmpty(Type) ? "System.Exception" : Type, Message, StackTrace, location, Inner?.ToException(location));

    private static RemoteError From(Exception exception, int depth) => new(
        exception.GetType().FullName ?? exception.GetType().Name,
        ExceptionText.Message(exception),
        ExceptionText.StackTrace(exception),
        exception.InnerException is { } inner && depth + 1 < MaxDepth ? From(inner, depth + 1) : null);
}
