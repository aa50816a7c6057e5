using System.Globalization;
using System.Text.Json;
using Brigade.Internal;

namespace Brigade.Engines.Remote;

/// <summary>
/// The message of a value's serialization failure, for an item's error. System.Text.Json stops an object cycle at its
/// depth limit and its message then spells the whole path, <c>$.Next.Next.Next…</c> 64 times (lib56): here the
/// repeated part is named once, with how often it repeats.
/// </summary>
internal static class SerializationErrorText
{
    // A path whose tail repeats this often is named as a repetition; a real nesting rarely repeats one step 4 times.
    private const int MinRepeats = 4;

    // The segments after the repetition that may be left over: the member written when the depth limit was reached.
    private const int MaxRest = 2;

    /// <summary>The error's message, a repeating path (an object cycle) named once.</summary>
    public static string Describe(Exception error)
    {
        var message = ExceptionText.Message(error);
        if (error is not JsonException json || Path(json) is not { Length: > 0 } path || Repetition(path) is not { } repetition)
        {
            return message;
        }

        var at = message.IndexOf(path, StringComparison.Ordinal);
        var head = (at >= 0 ? message[..at] : message + " ").TrimEnd();
        if (head.EndsWith("Path:", StringComparison.Ordinal))
        {
            head = head[..^"Path:".Length].TrimEnd();
        }

        var rest = repetition.After.Length > 0 ? $", then {repetition.After}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{head} Path: {repetition.Prefix} then {repetition.Unit} repeated {repetition.Count} times{rest}: an object cycle through {repetition.Unit} (or a nesting that deep).");
    }

    /// <summary>
    /// Finds the shortest run of path segments repeated at least <see cref="MinRepeats"/> times that the path ends with,
    /// but for up to <see cref="MaxRest"/> last segments (the member being written when the depth limit was reached).
    /// </summary>
    internal static (string Prefix, string Unit, int Count, string After)? Repetition(string path)
    {
        var segments = Segments(path);
        if (segments is null)
        {
            return null;
        }

        for (var rest = 0; rest <= MaxRest && rest < segments.Count; rest++)
        {
            var end = segments.Count - rest;
            for (var unit = 1; unit * MinRepeats <= end; unit++)
            {
                var count = 1;
                while ((count + 1) * unit <= end && SameRun(segments, end - unit, end - ((count + 1) * unit), unit))
                {
                    count++;
                }

                if (count >= MinRepeats)
                {
                    var start = end - (count * unit);
                    return ("$" + string.Concat(segments.Take(start)), string.Concat(segments.Skip(end - unit).Take(unit)), count, string.Concat(segments.Skip(end)));
                }
            }
        }

        return null;
    }

    private static string? Path(JsonException error)
    {
        try
        {
            return error.Path;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static bool SameRun(List<string> segments, int last, int other, int length)
    {
        for (var i = 0; i < length; i++)
        {
            if (!string.Equals(segments[last + i], segments[other + i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // "$.a.b[0]['c d']" -> ".a", ".b", "[0]", "['c d']"; null when the path is not of that shape.
    private static List<string>? Segments(string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        var segments = new List<string>();
        var i = 1;
        while (i < path.Length)
        {
            int end;
            if (path[i] == '[')
            {
                end = path.Length > i + 1 && path[i + 1] == '\'' ? path.IndexOf("']", i + 2, StringComparison.Ordinal) + 2 : path.IndexOf(']', i + 1) + 1;
            }
            else if (path[i] == '.')
            {
                end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
            }
            else
            {
                return null;
            }

            if (end <= i)
            {
                return null;
            }

            segments.Add(path[i..end]);
            i = end;
        }

        return segments;
    }
}
