namespace Brigade.Tests.Auto;

/// <summary>Auto-mode tests measure the machine: they run one at a time so that they do not load it for each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AutoCollection
{
    public const string Name = "auto mode";
}
