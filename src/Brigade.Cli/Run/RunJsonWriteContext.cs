using System.Text.Json.Serialization;

namespace Brigade.Cli.Run;

/// <summary>
/// Source-generated JSON for writing journal records: serialization only, so the generated code writes each property
/// itself and no per-property metadata (generic over each property's type, compiled at run time) is built. That metadata
/// was a third of the code a short run compiled; reading a journal on resume uses <see cref="RunJsonContext"/>, and the
/// failures file (readable options, which this fast path does not take) too.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(JournalRecord))]
internal sealed partial class RunJsonWriteContext : JsonSerializerContext;
