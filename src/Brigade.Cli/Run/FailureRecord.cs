using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>One line of the failures file: which item failed, where it was in the input, what it was, why (its last attempt's reason), and after how many attempts.</summary>
internal sealed class FailureRecord
{
    [JsonPropertyName("index")]
    public long Index { get; set; }

    [JsonPropertyName("line")]
    public long Line { get; set; }

    [JsonPropertyName("input")]
    public string Input { get; set; } = "";

    [JsonPropertyName("error")]
    public string Error { get; set; } = "";

    /// <summary>Gets or sets how many times the item ran: 1, or up to 1 + <c>--retries</c>; <see cref="Error"/> is the last attempt's.</summary>
    [JsonPropertyName("attempts")]
    public int Attempts { get; set; } = 1;

    /// <summary>
    /// Gets or sets what was cut from this line, or null (the whole record): only the lines shown on stderr are cut (an item
    /// of 10 MB is not copied whole into a terminal for every failure); a failures file keeps every item and error whole.
    /// </summary>
    [JsonPropertyName("truncated")]
    public string? Truncated { get; set; }

    /// <summary>The most characters of an item a failure line on stderr shows.</summary>
    public const int DisplayedInput = 1024;

    /// <summary>The most characters of an error a failure line on stderr shows (an --exec command's is its stderr's last line, at most 2 KB).</summary>
    public const int DisplayedError = 4096;

    /// <summary>
    /// Gets this record as a failure line on stderr shows it: an item longer than <see cref="DisplayedInput"/> characters
    /// (an error longer than <see cref="DisplayedError"/>) cut there, ending in "…", and <see cref="Truncated"/> saying
    /// how long it was and where the whole one is kept.
    /// </summary>
    public FailureRecord ForDisplay()
    {
        var cuts = new List<string>(2);
        var input = Cut(Input, DisplayedInput, "input", cuts);
        var error = Cut(Error, DisplayedError, "error", cuts);
        return cuts.Count == 0 ? this : new FailureRecord
        {
            Index = Index,
            Line = Line,
            Input = input,
            Error = error,
            Attempts = Attempts,
            Truncated = $"{string.Join("; ", cuts)} (give --failures FILE to keep failures whole)",
        };
    }

    private static string Cut(string text, int most, string name, List<string> cuts)
    {
        if (text.Length <= most)
        {
            return text;
        }

        // Not between the halves of a surrogate pair: the line stays valid UTF-8.
        var at = char.IsHighSurrogate(text[most - 1]) ? most - 1 : most;
        cuts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} of {text.Length:N0} characters, its first {at:N0} shown"));
        return string.Concat(text.AsSpan(0, at), "…");
    }
}
