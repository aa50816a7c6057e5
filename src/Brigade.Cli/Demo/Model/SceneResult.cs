namespace Brigade.Cli.Demo.Model;

/// <summary>One scene of the demo: its runs and a one-line conclusion drawn from the measurements.</summary>
/// <remarks>Capabilities add nullable fields here (null fields are omitted from the JSON); none is ever removed or renamed.</remarks>
internal sealed class SceneResult
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public string Conclusion { get; set; } = "";

    public List<RunRecord> Runs { get; init; } = [];

    public double Seconds { get; set; }
}
