using System.Text.Json.Serialization;

namespace Brigade.Samples.NativeAotApp;

/// <summary>
/// The JSON metadata of the values that travel as JSON, generated at compile time: a NativeAOT application cannot build
/// it by reflection. <see cref="PriceWork"/> names it in <c>[WorkSerializer]</c>, so the engine (in this process) and the
/// catalog (in the worker) read and write the same JSON.
/// </summary>
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Quote))]
internal sealed partial class AppJson : JsonSerializerContext;
