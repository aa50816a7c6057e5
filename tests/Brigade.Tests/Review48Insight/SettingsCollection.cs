namespace Brigade.Tests.Review48Insight;

/// <summary>Tests that change a process-wide setting of the reports (<see cref="Brigade.Reporting.LossBreakdown.CallerKeepsEngine"/>):
/// they run alone, so that no other test's report reads the setting meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SettingsCollection
{
    public const string Name = "review 48: process-wide report settings";
}
