using Brigade.Internal;

namespace Brigade.Engines.Remote;

/// <summary>
/// An exception as data, the way it crosses to the engine from a worker process or a silo: its type's name, message,
/// stack trace and inner exceptions. Exception objects never cross (Brigade never deserializes arbitrary types); each
/// transport writes these fields in its own encoding, and the engine rebuilds a <see cref="RemoteWorkException"/>.
/// </summary>
/// <param name="Type">The full name of the exception's type.</param>
/// <param name="Message">The message.</param>
/// <param name="StackTrace">The stack trace, when there was one.</param>
/// <param name="Inner">The inner exception, carried the same way; at most <see cref="MaxDepth"/> levels in all. For an
/// <see cref="AggregateException"/>, the first of <see cref="Inners"/>.</param>
internal sealed record RemoteError(string Type, string Message, string? StackTrace, RemoteError? Inner)
{
    /// <summary>How many levels (the exception and its inner exceptions) are carried.</summary>
    public const int MaxDepth = 8;

    /// <summary>How many inner exceptions of one <see cref="AggregateException"/> are carried; the rest are counted in a
    /// last one that says how many were left out.</summary>
    public const int MaxInners = 16;

    /// <summary>How many exceptions one error carries in all (an aggregate of aggregates would otherwise grow without bound).</summary>
    public const int MaxErrors = 64;

    /// <summary>Gets every inner exception of an <see cref="AggregateException"/> (<see cref="Inner"/> is the first),
    /// or <see langword="null"/> for any other exception: then <see cref="Inner"/> alone is the inner exception.</summary>
    /// <remarks>Review 43: before, an aggregate crossed with its first inner exception only.</remarks>
    public IReadOnlyList<RemoteError>? Inners { get; init; }

    /// <summary>Gets the exception's public scalar properties as text (<see cref="ExceptionFields"/>), or <see langword="null"/>.</summary>
    /// <remarks>Review 60: before, a <c>QuotaException.Remaining</c> crossed as nothing.</remarks>
    public IReadOnlyList<KeyValuePair<string, string>>? Properties { get; init; }

    /// <summary>Gets the exception's <see cref="Exception.Data"/> entries of scalar values as text, or <see langword="null"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Data { get; init; }

    /// <summary>Describes <paramref name="exception"/> and its inner exceptions (all of an aggregate's), within <see cref="MaxDepth"/> and <see cref="MaxErrors"/>.</summary>
    public static RemoteError From(Exception exception)
    {
        var budget = MaxErrors;
        return From(exception, 0, ref budget);
    }

    /// <summary>Rebuilds the exception the engine reports, inner exceptions included.</summary>
    public RemoteWorkException ToException(string? location)
    {
        var type = string.IsNullOrEmpty(Type) ? "System.Exception" : Type;
        if (Inners is { Count: > 0 } inners)
        {
            var rebuilt = new RemoteWorkException[inners.Count];
            for (var i = 0; i < rebuilt.Length; i++)
            {
                rebuilt[i] = inners[i].ToException(location);
            }

            return WithFields(RemoteWorkException.Aggregate(type, Message, StackTrace, location, rebuilt));
        }

        return WithFields(new RemoteWorkException(type, Message, StackTrace, location, Inner?.ToException(location)));
    }

    private RemoteWorkException WithFields(RemoteWorkException exception)
    {
        if (Properties is { Count: > 0 } properties)
        {
            var bag = new Dictionary<string, string>(properties.Count, StringComparer.Ordinal);
            foreach (var (name, value) in properties)
            {
                bag.TryAdd(name, value);
            }

            exception.RemoteProperties = bag;
        }

        if (Data is { Count: > 0 } data)
        {
            foreach (var (key, value) in data)
            {
                exception.Data[key] = value;
            }
        }

        return exception;
    }

    private static RemoteError From(Exception exception, int depth, ref int budget)
    {
        var error = Describe(exception, depth, ref budget);
        return error with { Properties = ExceptionFields.Properties(exception), Data = ExceptionFields.Data(exception) };
    }

    private static RemoteError Describe(Exception exception, int depth, ref int budget)
    {
        budget--;
        var type = exception.GetType().FullName ?? exception.GetType().Name;
        var message = ExceptionText.Message(exception);
        var stack = ExceptionText.StackTrace(exception);
        if (depth + 1 >= MaxDepth || budget <= 0)
        {
            return new RemoteError(type, message, stack, null);
        }

        if (exception is AggregateException aggregate && InnersOf(aggregate) is { Count: > 0 } all)
        {
            var inners = new List<RemoteError>(Math.Min(all.Count, MaxInners));
            for (var i = 0; i < all.Count && budget > 0; i++)
            {
                if (i == MaxInners - 1 && all.Count > MaxInners)
                {
                    budget--;
                    inners.Add(new RemoteError(typeof(Exception).FullName!, $"({all.Count - i} more inner exceptions not carried)", null, null));
                    break;
                }

                inners.Add(From(all[i], depth + 1, ref budget));
            }

            return new RemoteError(type, message, stack, inners[0]) { Inners = inners };
        }

        return new RemoteError(type, message, stack, exception.InnerException is { } inner ? From(inner, depth + 1, ref budget) : null);
    }

    private static System.Collections.ObjectModel.ReadOnlyCollection<Exception>? InnersOf(AggregateException aggregate)
    {
        try
        {
            return aggregate.InnerExceptions;
        }
        catch (Exception)
        {
            // A hostile subclass: describe it as any other exception (review 41's rule: describing never throws).
            return null;
        }
    }
}
