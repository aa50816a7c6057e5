using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>Source-generated JSON for the failures file and for reading the journal (<see cref="JournalRecordWriter"/> writes it).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(JournalRecord))]
[JsonSerializable(typeof(FailureRecord))]
internal sealed partial class RunJsonContext : JsonSerializerContext
{
    /// <summary>Gets a context that writes readable JSON (quotes and non-ASCII text unescaped) for files people open.</summary>
    public static RunJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
