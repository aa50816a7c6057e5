
namespace Brigade.Orleans.Protocol;

/// <summary>Asks a worker grain about its silo and, when a work type is named, whether the silo can run it.</summary>
[GenerateSerializer, Immutable, Alias("brigade.prepare-request.v1")]
internal sealed class PrepareRequest
{
    /// <summary>Gets the work type's full name, or <see langword="null"/> to only describe the silo.</summary>
    [Id(0)]
    public string? WorkType { get; init; }

    /// <summary>Gets the full name of the input type the caller serializes, to catch mismatched builds.</summary>
    [Id(1)]
    public string? InputType { get; init; }

    /// <summary>Gets the full name of the result type the caller deserializes.</summary>
    [Id(2)]
    public string? OutputType { get; init; }

    /// <summary>Gets the caller's <see cref="ClusterProtocol.Version"/>; 0 from a caller too old to send it.</summary>
    [Id(3)]
    public int ProtocolVersion { get; init; }

    /// <summary>
    /// Gets the wire shape of the input type on the caller (<see cref="WorkShape"/>): a type of the same name with other
    /// members would read the caller's JSON without complaint, members left at their defaults. <see langword="null"/>
    /// from a caller too old to send it (not checked then).
    /// </summary>
    [Id(4)]
    public string? InputShape { get; init; }

    /// <summary>Gets the wire shape of the result type on the caller; <see langword="null"/> from an older caller.</summary>
    [Id(5)]
    public string? OutputShape { get; init; }

    /// <summary>
    /// Gets the build of the work type's code on the caller (<see cref="WorkBuild.Of"/>: assembly, version, module MVID), so
    /// that a silo running other code of the same shape is said, not silent; <see langword="null"/> from an older caller.
    /// </summary>
    [Id(6)]
    public string? WorkBuild { get; init; }
}
