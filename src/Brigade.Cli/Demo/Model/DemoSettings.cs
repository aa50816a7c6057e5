namespace Brigade.Cli.Demo.Model;

/// <summary>How the demo was run.</summary>
internal sealed class DemoSettings
{
    public bool Quick { get; init; }

    public List<string> Only { get; init; } = [];
}
