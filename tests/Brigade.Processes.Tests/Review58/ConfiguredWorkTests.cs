namespace Brigade.Processes.Tests.Review58;

/// <summary>
/// The process engine refuses a work instance the caller configured, before any worker starts (lib58: each worker
/// created its own <c>new Scale()</c>, so <c>new Scale { Factor = 3 }</c> gave 1, 2, 3 instead of 3, 6, 9, reported as
/// a success). Also through auto mode's isolated engine, which hands the run to the process engine.
/// </summary>
public sealed class ConfiguredWorkTests
{
    [Fact]
    public async Task ConfiguredInstance_IsRefusedBeforeAnyItem_OnTheProcessEngineAndThroughAutoMode()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        var auto = Engine.CreateAuto(new Auto.AutoEngineOptions { IsolatedEngine = engine, UsePlanCache = false });

        foreach (var run in new Engine[] { engine, auto })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(
                () => Runner.MapAsync(Enumerable.Range(1, 3), new Scale { Factor = 3 }, new RunOptions { Engine = run }));

            Assert.Contains("differs from a new Scale() in Factor (3; a new one has 1)", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, engine.GetStatistics().WorkersStarted);
    }

    /// <summary>Multiplies by a setting.</summary>
    public sealed class Scale : IWork<int, int>
    {
        /// <summary>Gets or sets the factor.</summary>
        public int Factor { get; set; } = 1;

        /// <inheritdoc/>
        public int Execute(int input) => input * Factor;
    }
}
