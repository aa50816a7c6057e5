using System.Text.Json.Serialization;

namespace Brigade.Cli.Advise;

/// <summary>Source-generated JSON for <c>brigade advise --json</c>: every field is written, null where there is no value
/// (review 64: a field with none was left out, so a reader could not tell an older document from a missing value).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true)]
[JsonSerializable(typeof(AdviseDocument))]
internal sealed partial class AdviseJsonContext : JsonSerializerContext;
