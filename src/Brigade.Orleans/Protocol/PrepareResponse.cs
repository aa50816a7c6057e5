
namespace Brigade.Orleans.Protocol;

/// <summary>A silo's answer to <see cref="PrepareRequest"/>: where it is, its cores, and whether it runs the work type.</summary>
[GenerateSerializer, Immutable, Alias("brigade.prepare-response.v1")]
internal sealed class PrepareResponse
{
    /// <summary>Gets the silo's address as reports show it (<c>host:port</c>).</summary>
    [Id(0)]
    public string Silo { get; init; } = "";

    /// <summary>Gets the silo's full address (<see cref="global::Orleans.Runtime.SiloAddress.ToParsableString"/>), to check placement.</summary>
    [Id(1)]
    public string SiloAddress { get; init; } = "";

    /// <summary>Gets the number of processors the silo's process may use.</summary>
    [Id(2)]
    public int ProcessorCount { get; init; }

    /// <summary>Gets why the silo cannot run the work type, or <see langword="null"/> when it can (or none was named).</summary>
    [Id(3)]
    public string? Rejected { get; init; }
}
