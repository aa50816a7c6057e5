namespace Brigade.Workloads;

/// <summary>A hand-picked engine and width, as a user would choose them.</summary>
/// <param name="Engine">The engine.</param>
/// <param name="Width">The width; null for the engine's default.</param>
internal sealed record EngineChoice(Engine Engine, int? Width)
{
    /// <summary>Gets a label such as <c>threads ×64</c>.</summary>
    public string Label => $"{Engine.Name} ×{Width ?? Engine.GetDefaultDegreeOfParallelism()}";

    /// <summary>Options for a run with this choice.</summary>
    public RunOptions Options(string label) => new() { Engine = Engine, MaxDegreeOfParallelism = Width, Label = label };

    /// <inheritdoc/>
    public override string ToString() => Label;
}
