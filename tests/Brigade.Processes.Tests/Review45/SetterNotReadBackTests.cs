namespace Brigade.Processes.Tests.Review45;

/// <summary>
/// Review 45: a result type with <c>{ get; private set; }</c> came back from the worker as zeros and nulls, reported as a
/// success. The run is now refused before any worker starts, naming the member.
/// </summary>
public sealed class SetterNotReadBackTests
{
    [Fact(Timeout = 60_000)]
    public async Task PrivateSettersInTheResult_TheRunIsRefused_NotSilentlyZeroed()
    {
        await using var engine = TestEngines.Create();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => Runner.MapAsync([1, 2], new R45MakesPrivateSet(), TestEngines.Run(engine)));

        Assert.Contains("R45PrivateSet.Count has a setter that is not public", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetStatistics().WorkersStarted);
    }
}

public sealed class R45PrivateSet
{
    public int Count { get; private set; }

    public static R45PrivateSet Of(int count) => new() { Count = count };
}

public sealed class R45MakesPrivateSet : IWork<int, R45PrivateSet>
{
    public R45PrivateSet Execute(int input) => R45PrivateSet.Of(input);
}
