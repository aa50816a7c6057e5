using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>
/// One line of a run's journal. Kinds: <c>h</c> header (which run this is: input, work, order, format), <c>r</c> an
/// item's result (kept so a resumed run does not compute it again), <c>w</c> watermark (ordered output: every item
/// before <c>upto</c> is in the output files, whose lengths were <c>o</c> and <c>f</c>; <c>ib</c> bytes and <c>ii</c>
/// items of input had been read, hashing to <c>ih</c>; <c>nf</c> of the items delivered had failed, since run59), <c>u</c>
/// delivered set (unordered output; <c>nf</c> as for <c>w</c>), <c>c</c> the run finished with <c>nf</c> items failed
/// (only in a <see cref="CompletionRecord"/>).
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

    [JsonPropertyName("format")]
    public string? Format { get; set; }

    [JsonPropertyName("null")]
    public bool? NullSeparated { get; set; }

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

    // How many attempts a failed item took, when more than one (--retries).
    [JsonPropertyName("n")]
    public int? Attempts { get; set; }

    // Watermark / delivered set.
    [JsonPropertyName("upto")]
    public long? UpTo { get; set; }

    [JsonPropertyName("ids")]
    public List<long>? Delivered { get; set; }

    [JsonPropertyName("o")]
    public long? OutputLength { get; set; }

    [JsonPropertyName("f")]
    public long? FailuresLength { get; set; }

    // Watermark / delivered set: how much of the input had been read, and its hash (see InputFingerprint).
    [JsonPropertyName("ib")]
    public long? InputBytes { get; set; }

    [JsonPropertyName("ii")]
    public long? InputItems { get; set; }

    [JsonPropertyName("ih")]
    public string? InputHash { get; set; }

    // Completion, watermark and delivered set: how many of the items delivered failed.
    [JsonPropertyName("nf")]
    public long? FailedCount { get; set; }
}
