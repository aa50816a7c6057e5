using System.Text.Json.Serialization;

namespace Brigade.Cli.Demo.Work;

/// <summary>Source-generated JSON for the demo's work types, as they cross to silo processes.</summary>
[JsonSerializable(typeof(PrimeSlice))]
[JsonSerializable(typeof(int))]
internal sealed partial class DemoWorkJson : JsonSerializerContext;
