namespace Brigade.Orleans.Tests.Review58Lead;

/// <summary>A work instance the caller configured is refused before the cluster runs anything: each silo creates its own
/// instance, so <c>new R58Scale { Factor = 3 }</c> ran every item with Factor = 1 and reported success (as worker processes
/// did until lib58, which made the process engine refuse it).</summary>
[Collection("cluster")]
public sealed class ConfiguredWorkTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task ConfiguredInstance_IsRefusedBeforeAnyItemIsRead()
    {
        var taken = 0;
        var failed = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(
            Enumerable.Range(0, 10).Select(i => { Interlocked.Increment(ref taken); return i; }),
            new R58Scale { Factor = 3 },
            new RunOptions { Engine = fixture.Engine }));

        var error = Assert.IsType<ClusterWorkRejectedException>(failed.InnerException);
        Assert.Equal(0, taken);
        Assert.Contains("Factor", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Multiplies by a factor the caller may set (which a silo's own instance does not have).</summary>
public sealed class R58Scale : IWork<int, int>
{
    /// <summary>Gets or sets the factor.</summary>
    public int Factor { get; set; } = 1;

    /// <inheritdoc/>
    public int Execute(int input) => input * Factor;
}
