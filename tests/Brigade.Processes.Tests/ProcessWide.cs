namespace Brigade.Processes.Tests;

/// <summary>Tests that replace state the whole test process shares (<see cref="Console.Error"/>): they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWide
{
    public const string Name = "Process-wide state";
}
