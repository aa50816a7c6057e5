using System.Text.Json.Serialization;

namespace Brigade.Auto;

/// <summary>Source-generated JSON for the plan cache: no reflection, safe to trim.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(PlanCacheDocument))]
internal sealed partial class PlanCacheJsonContext : JsonSerializerContext;
