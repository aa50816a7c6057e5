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
}
