namespace Brigade.Orleans.Dispatch;

/// <summary>
/// An exception as one line of a run's plan, summary or failure reason. Orleans' messaging exceptions carry their inner
/// exception's text in their message, stack frames included (<c>OrleansMessageRejectionException: Exception while sending
/// message: ...ConnectionFailedException: Unable to connect to S127.0.0.1:21112:..., will retry after 423 ms</c>, then
/// <c>   at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync(...) in /_/src/...:line 142</c>): review 57 saw
/// those frames in <c>brigade run</c>'s plan line for a silo killed mid-run. The one helper for it: a client's connection
/// errors (<see cref="ClusterConnection"/>) joined every line of the message, frames included, until review 58.
/// </summary>
internal static class ErrorText
{
    /// <summary>The exception's type name and its message in one line (<see cref="OneLine(Exception)"/>).</summary>
    /// <param name="e">The exception.</param>
    /// <returns><c>TypeName: message</c>.</returns>
    public static string Gist(Exception e) => $"{e.GetType().Name}: {OneLine(e)}";

    /// <summary>
    /// The exception's message in one line (<see cref="OneLine(string)"/>); a message that defers to its inner exception
    /// ("... See InnerException") without carrying its text gets the inner exception's type and first line in parentheses,
    /// as the text's own <c> ---> </c> line would give.
    /// </summary>
    /// <param name="e">The exception.</param>
    /// <returns>The line.</returns>
    public static string OneLine(Exception e)
    {
        var line = OneLine(e.Message);
        if (e.InnerException is { } inner && DefersToInner(line) is { } without)
        {
            return $"{without} ({inner.GetType().FullName}: {OneLine(inner)})";
        }

        return line;
    }

    /// <summary>
    /// The first non-empty line of <paramref name="text"/>, trimmed; when the text carries an inner exception's
    /// (<c> ---> Type: message</c>, as Orleans' "Unable to connect to endpoint S127.0.0.1:21111:0. See InnerException"
    /// does), that exception's first line is added in parentheses in place of "See InnerException". Stack frames never.
    /// </summary>
    /// <param name="text">A message, possibly of several lines.</param>
    /// <returns>The line.</returns>
    public static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return "";
        }

        var first = lines[0];
        var inner = lines.Skip(1).FirstOrDefault(l => l.StartsWith("--->", StringComparison.Ordinal));
        if (inner is null)
        {
            return first;
        }

        return $"{DefersToInner(first) ?? first} ({inner[4..].Trim()})";
    }

    // The line without its closing ". See InnerException", or null when it does not end so.
    private static string? DefersToInner(string line)
    {
        const string SeeInner = ". See InnerException";
        return line.EndsWith(SeeInner, StringComparison.Ordinal) || line.EndsWith(SeeInner + ".", StringComparison.Ordinal)
            ? line[..line.LastIndexOf(SeeInner, StringComparison.Ordinal)]
            : null;
    }
}
