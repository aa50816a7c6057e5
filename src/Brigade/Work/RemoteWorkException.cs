using System.Text;

namespace Brigade;

/// <summary>
/// An exception that work threw in another process or on another machine, carried back as data: the original
/// exception's type name, message and stack trace.
/// </summary>
/// <remarks>
/// The original exception object cannot cross the boundary (Brigade never deserializes arbitrary types), so this
/// exception stands in for it. <see cref="Exception.Message"/> is the original message; inner exceptions come back
/// as inner <see cref="RemoteWorkException"/>s. An <see cref="AggregateException"/> comes back with all its inner
/// exceptions in <see cref="InnerExceptions"/> (its <see cref="Exception.InnerException"/> is the first of them).
/// </remarks>
public sealed class RemoteWorkException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>Initializes an empty instance.</summary>
    public RemoteWorkException()
        : this("The work failed in another process.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">The message.</param>
    public RemoteWorkException(string message)
        : base(message)
    {
        RemoteType = typeof(Exception).FullName!;
    }

    /// <summary>Initializes an instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public RemoteWorkException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RemoteType = typeof(Exception).FullName!;
    }

    /// <summary>Initializes an instance that describes an exception thrown elsewhere.</summary>
    /// <param name="remoteType">The full name of the original exception's type, such as <c>System.InvalidOperationException</c>.</param>
    /// <param name="message">The original message.</param>
    /// <param name="remoteStackTrace">The original stack trace, if any.</param>
    /// <param name="location">Where it was thrown, such as <c>pid 4242</c>.</param>
    /// <param name="innerException">The original inner exception, carried the same way.</param>
    public RemoteWorkException(string remoteType, string message, string? remoteStackTrace, string? location, RemoteWorkException? innerException)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteType);
        RemoteType = remoteType;
        RemoteStackTrace = remoteStackTrace;
        Location = location;
        InnerExceptions = innerException is null ? [] : [innerException];
    }

    // An aggregate's: every inner exception, the first of them as InnerException, as AggregateException does.
    internal static RemoteWorkException Aggregate(string remoteType, string message, string? remoteStackTrace, string? location, RemoteWorkException[] innerExceptions) =>
        new(remoteType, message, remoteStackTrace, location, innerExceptions.Length > 0 ? innerExceptions[0] : null) { InnerExceptions = innerExceptions };

    /// <summary>Gets the full name of the original exception's type.</summary>
    public string RemoteType { get; }

    /// <summary>Gets the original inner exceptions, carried the same way: all of them for an <see cref="AggregateException"/>,
    /// otherwise the <see cref="Exception.InnerException"/> alone (empty when there is none).</summary>
    public IReadOnlyList<RemoteWorkException> InnerExceptions { get; private init; } = [];

    /// <summary>Gets the original exception's public scalar properties (numbers, strings, enums, dates, GUIDs), each as
    /// invariant text by name, such as <c>Remaining</c> → <c>"3"</c> for a <c>QuotaException</c>; those of
    /// <see cref="Exception"/> itself are left out. At most 16, values of at most 1,024 characters. The original's
    /// <see cref="Exception.Data"/> entries of such values are in this exception's <see cref="Exception.Data"/>, as text.</summary>
    public IReadOnlyDictionary<string, string> RemoteProperties { get; internal set; } = Empty;

    /// <summary>Gets the original stack trace, as text, when there was one.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>Gets where the exception was thrown, such as <c>pid 4242</c>, when known.</summary>
    public string? Location { get; }

    /// <summary>Returns the original type, message and stack trace, then this exception's own.</summary>
    /// <returns>A description for logs.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(RemoteType).Append(": ").Append(Message);
        if (Location is not null)
        {
            text.Append(" (in ").Append(Location).Append(')');
        }

        foreach (var (name, value) in RemoteProperties)
        {
            text.AppendLine().Append("   ").Append(name).Append(" = ").Append(value);
        }

        foreach (System.Collections.DictionaryEntry entry in Data)
        {
            text.AppendLine().Append("   Data[").Append(entry.Key).Append("] = ").Append(entry.Value);
        }

        if (InnerExceptions.Count > 1)
        {
            // As AggregateException.ToString does: every inner exception, numbered.
            for (var i = 0; i < InnerExceptions.Count; i++)
            {
                text.AppendLine().Append(" ---> (Inner Exception #").Append(i).Append(") ").Append(InnerExceptions[i]).Append("<---").AppendLine();
            }
        }
        else if (InnerException is not null)
        {
            text.Append(" ---> ").Append(InnerException).AppendLine().Append("   --- End of inner exception stack trace ---");
        }

        if (!string.IsNullOrEmpty(RemoteStackTrace))
        {
            text.AppendLine().Append(RemoteStackTrace);
        }

        text.AppendLine().Append("   --- End of remote stack trace ---");
        if (StackTrace is { } local)
        {
            text.AppendLine().Append(local);
        }

        return text.ToString();
    }
}
