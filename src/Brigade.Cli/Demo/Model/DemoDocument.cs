namespace Brigade.Cli.Demo.Model;

/// <summary>The document <c>brigade demo --json</c> prints: a public contract, extended but never broken.</summary>
internal sealed class DemoDocument
{
    /// <summary>The schema version; bumped only for additions.</summary>
    public int Version { get; init; } = 1;

    public required MachineInfo Machine { get; init; }

    public required DemoSettings Options { get; init; }

    public List<SceneResult> Scenes { get; init; } = [];

    public double TotalSeconds { get; set; }
}
