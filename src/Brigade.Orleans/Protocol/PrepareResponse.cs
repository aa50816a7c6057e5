
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

    /// <summary>Gets how many runs have worker grains on the silo now.</summary>
    [Id(4)]
    public int ActiveRuns { get; init; }

    /// <summary>Gets how many items the silo's worker grains are running now (the items of the batches in progress).</summary>
    [Id(5)]
    public long ItemsRunning { get; init; }

    /// <summary>Gets how many items the silo has run since it started.</summary>
    [Id(6)]
    public long ItemsCompleted { get; init; }

    /// <summary>Gets the silo's <see cref="ClusterProtocol.Version"/>; 0 from a silo too old to send it.</summary>
    [Id(7)]
    public int ProtocolVersion { get; init; }

    /// <summary>Gets the build of the named work type's code on the silo (<see cref="WorkBuild.Of"/>); <see langword="null"/>
    /// when no work type was named, the silo refused it, or the silo is too old to say.</summary>
    [Id(8)]
    public string? WorkBuild { get; init; }
}
