using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>
/// One line of a run's journal. Kinds: <c>h</c> header (which run this is), <c>r</c> an item's result (kept so a
/// resumed run does not compute it again), <c>w</c> watermark (ordered output: every item before <c>upto</c> is in
/// the output files, whose lengths were <c>o</c> and <c>f</c>), <c>u</c> delivered set (unordered output).
/// </summary>
internal sealed class JournalRecord
{
    [JsonPropertyName("t")]
    public string Kind { get; set; } = "";

    // Header.
    [JsonPropertyName("v")]
    public int? Version { get; set; }

    [JsonPropertyName("input")]
    public string? Input { get; set; }

    [JsonPropertyName("work")]
    public string? Work { get; set; }

    [JsonPropertyName("ordered")]
    public bool? Ordered { get; set; }

    // Result.
    [JsonPropertyName("i")]
    public long? Index { get; set; }

    [JsonPropertyName("line")]
    public long? Line { get; set; }

    [JsonPropertyName("in")]
    public string? ItemText { get; set; }

    [JsonPropertyName("out")]
    public byte[]? Output { get; set; }

    [JsonPropertyName("err")]
    public string? Error { get; set; }

    // Watermark / delivered set.
    [JsonPropertyName("upto")]
    public long? UpTo { get; set; }

    [JsonPropertyName("ids")]
    public List<long>? Delivered { get; set; }

    [JsonPropertyName("o")]
    public long? OutputLength { get; set; }

    [JsonPropertyName("f")]
    public long? FailuresLength { get; set; }
}
