using System.Diagnostics;

namespace Brigade.Internal;

/// <summary>
/// What Brigade writes of an exception it did not throw. <see cref="Exception.Message"/> and
/// <see cref="Exception.StackTrace"/> are virtual: user code, which may itself throw. A report, an error message or a
/// worker describing an item's failure must not fail because of it (hostile library review: the getter's exception
/// replaced <see cref="RunFailedException"/>, and in a worker process took the worker down, charging the item with two
/// crashes it never caused).
/// </summary>
internal static class ExceptionText
{
    /// <summary>The exception's message, or a note naming what its <see cref="Exception.Message"/> threw.</summary>
    public static string Message(Exception exception)
    {
        try
        {
            return exception.Message ?? string.Empty;
        }
        catch (Exception e)
        {
            return $"(the message of this {exception.GetType().Name} could not be read: its Message threw {e.GetType().Name})";
        }
    }

    /// <summary>How much of a cause's message a message Brigade builds around it quotes (<see cref="Brief"/>).</summary>
    public const int BriefLength = 500;

    /// <summary>The exception's message on one line, cut after <see cref="BriefLength"/> characters with its length said,
    /// for a message Brigade builds around it: a 10 MB message was copied whole into each (lib66: a
    /// <see cref="RunFailedException"/> of 50 MB, a map-reduce's refused fold 1.1 GB). The whole message stays on the
    /// exception itself.</summary>
    public static string Brief(Exception exception)
    {
        var message = Message(exception);
        if (message.Length <= BriefLength)
        {
            return message.ReplaceLineEndings(" ");
        }

        // Not between the halves of a surrogate pair: a lone half is not text (JSON writers and loggers replace or refuse it).
        var cut = char.IsHighSurrogate(message[BriefLength - 1]) ? BriefLength - 1 : BriefLength;
        return string.Concat(message.AsSpan(0, cut).ToString().ReplaceLineEndings(" "), $"… ({message.Length:N0} characters)");
    }

    /// <summary>The exception's stack trace, or null when its <see cref="Exception.StackTrace"/> throws.</summary>
    public static string? StackTrace(Exception exception)
    {
        try
        {
            return exception.StackTrace;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Records the exception on a span (<see cref="Activity.AddException"/>, which reads its message and its
    /// <see cref="Exception.ToString"/>); when that throws, an <c>exception</c> event with its type and what could be read.
    /// </summary>
    public static void AddTo(Activity activity, Exception exception)
    {
        try
        {
            activity.AddException(exception);
        }
        catch (Exception)
        {
            activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
            {
                ["exception.type"] = exception.GetType().FullName,
                ["exception.message"] = Message(exception),
            }));
        }
    }
}
