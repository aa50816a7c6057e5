using System.Text.Json.Serialization;

namespace Brigade.Cli.Advise;

/// <summary>Source-generated JSON for <c>brigade advise --json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(AdviseDocument))]
internal sealed partial class AdviseJsonContext : JsonSerializerContext;
