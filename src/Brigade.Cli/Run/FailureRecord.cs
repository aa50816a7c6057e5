using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>One line of the failures file: which item failed, where it was in the input, what it was, and why.</summary>
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
}
