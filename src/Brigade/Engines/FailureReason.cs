using Brigade.Internal;

namespace Brigade.Engines;

/// <summary>What a failure's exception says, as far as a report shows it: its type (a worker's type for a
/// <see cref="RemoteWorkException"/>) and its message. Two failures with the same reason may share one exception
/// (<see cref="RunFailures.KeptWhole"/>).</summary>
/// <param name="Type">The exception's type.</param>
/// <param name="RemoteType">The type the exception had where it was thrown, for a <see cref="RemoteWorkException"/>.</param>
/// <param name="Message">The exception's message.</param>
internal readonly record struct FailureReason(Type Type, string? RemoteType, string Message)
{
    /// <summary>Gets the reason of <paramref name="error"/>, or <see langword="null"/> when it says more than its type and
    /// message (inner exceptions, an aggregate's list), so it is never shared.</summary>
    /// <param name="error">A failure's exception.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public static FailureReason? Of(Exception error)
    {
        if (error.InnerException is not null || error is AggregateException || error is RemoteWorkException { InnerExceptions.Count: > 0 })
        {
            return null;
        }

        return new FailureReason(error.GetType(), (error as RemoteWorkException)?.RemoteType, ExceptionText.Message(error));
    }
}
