using System.Text.Json.Serialization;
using Brigade.Samples.WorkTypes;

namespace Brigade.Samples.NativeWorker;

/// <summary>
/// The JSON metadata of the sample types that travel as JSON, generated at compile time. The host writes and reads them
/// with Brigade's default options (GreetWork has no [WorkSerializer]): properties under their own names, so the context
/// keeps them (no naming policy).
/// </summary>
[JsonSerializable(typeof(Person))]
[JsonSerializable(typeof(string))]
internal sealed partial class SampleJson : JsonSerializerContext;
