namespace Brigade.Tests.Infrastructure;

/// <summary>
/// Tests that read process-wide state (the live Brigade thread count, the <c>Brigade</c> meter) run here: xunit runs
/// this collection alone, after every parallel test has finished, so no other run can disturb what they observe.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial: process-wide state";
}
